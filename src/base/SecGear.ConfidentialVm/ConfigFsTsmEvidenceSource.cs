using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>Evidence through configfs-tsm; the provider found when the source was created must still be the one that answers.</summary>
public sealed class ConfigFsTsmEvidenceSource : IEvidenceSource
{
    private readonly ConfigFsTsm _tsm;

    /// <summary>Probes <paramref name="tsm"/> for its provider.</summary>
    /// <param name="tsm">The configfs-tsm client.</param>
    /// <param name="snpPrivLevel">
    /// Asked only when the provider is SEV-SNP: the VMPL to request reports at (null: the provider's default). Other
    /// providers have no privilege levels, so a value meant for SEV-SNP is never read there.
    /// </param>
    /// <exception cref="TsmException">configfs-tsm is absent, has no provider, or its provider is unknown.</exception>
    public ConfigFsTsmEvidenceSource(ConfigFsTsm tsm, Func<uint?>? snpPrivLevel = null)
    {
        _tsm = tsm ?? throw new ArgumentNullException(nameof(tsm));
        Provider = tsm.ProbeProvider();
        Tee = TsmProviders.TeeOf(Provider);
        if (Tee == ConfidentialVmTee.Unknown)
        {
            throw new TsmException(TsmFailureCode.UnsupportedProvider, $"configfs-tsm provider '{Provider}' is not one this engine knows ({TsmProviders.Tdx}, {TsmProviders.SevSnp}, {TsmProviders.Cca})");
        }

        PrivLevel = Tee == ConfidentialVmTee.SevSnp ? snpPrivLevel?.Invoke() : null;
    }

    /// <summary>The privilege level (SEV-SNP VMPL) every report is requested at; null: the provider's default.</summary>
    public uint? PrivLevel { get; }

    /// <summary>The provider name.</summary>
    public string Provider { get; }

    /// <inheritdoc/>
    public ConfidentialVmTee Tee { get; }

    /// <inheritdoc/>
    public string Description => PrivLevel is { } level
        ? $"configfs-tsm provider {Provider} at {_tsm.ReportRoot}, privlevel {level}"
        : $"configfs-tsm provider {Provider} at {_tsm.ReportRoot}";

    /// <inheritdoc/>
    public TsmReport GetReport(ReadOnlySpan<byte> reportData)
    {
        TsmReport report = _tsm.GetReport(reportData, PrivLevel);
        return report.Tee == Tee
            ? report
            : throw new TsmException(TsmFailureCode.UnsupportedProvider, $"the configfs-tsm provider changed from {Provider} to {report.Provider} while the enclave ran");
    }
}
