using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>Evidence through configfs-tsm; the provider found when the source was created must still be the one that answers.</summary>
public sealed class ConfigFsTsmEvidenceSource : IEvidenceSource
{
    private readonly ConfigFsTsm _tsm;

    /// <summary>Probes <paramref name="tsm"/> for its provider.</summary>
    /// <exception cref="TsmException">configfs-tsm is absent, has no provider, or its provider is unknown.</exception>
    public ConfigFsTsmEvidenceSource(ConfigFsTsm tsm)
    {
        _tsm = tsm ?? throw new ArgumentNullException(nameof(tsm));
        Provider = tsm.ProbeProvider();
        Tee = TsmProviders.TeeOf(Provider);
        if (Tee == ConfidentialVmTee.Unknown)
        {
            throw new TsmException(TsmFailureCode.UnsupportedProvider, $"configfs-tsm provider '{Provider}' is not one this engine knows ({TsmProviders.Tdx}, {TsmProviders.SevSnp}, {TsmProviders.Cca})");
        }
    }

    /// <summary>The provider name.</summary>
    public string Provider { get; }

    /// <inheritdoc/>
    public ConfidentialVmTee Tee { get; }

    /// <inheritdoc/>
    public string Description => $"configfs-tsm provider {Provider} at {_tsm.ReportRoot}";

    /// <inheritdoc/>
    public TsmReport GetReport(ReadOnlySpan<byte> reportData)
    {
        TsmReport report = _tsm.GetReport(reportData);
        return report.Tee == Tee
            ? report
            : throw new TsmException(TsmFailureCode.UnsupportedProvider, $"the configfs-tsm provider changed from {Provider} to {report.Provider} while the enclave ran");
    }
}
