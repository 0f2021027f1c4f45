using SecGear.Identity;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// The <see cref="IAttester"/> of enclave code: produces evidence through the enclave's attesting platform
/// (<see cref="IAttestingPlatform.GetEvidence"/>), in the platform's evidence format. It is enclave code, so it lives
/// in the trusted runtime; its evidence is the same bytes the host obtains with <c>Enclave.GetEvidence</c>, and a
/// verifier (SecGear.Attestation, which needs no trusted runtime) reads it as <c>new Evidence(attester.Format, bytes)</c>.
/// </summary>
/// <example><code>
/// var attester = PlatformAttester.FromContext(context);   // in an ECALL implementation
/// byte[] evidence = attester.Attest(SHA256.HashData(publicKey));
/// </code></example>
public sealed class PlatformAttester : IAttester
{
    /// <summary>The most report data evidence binds.</summary>
    public const int MaxReportDataLength = EvidenceLimits.MaxReportDataLength;

    private readonly IAttestingPlatform _platform;

    /// <summary>Creates an attester over <paramref name="platform"/>.</summary>
    public PlatformAttester(IAttestingPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
    }

    /// <inheritdoc/>
    public string Format => _platform.EvidenceFormat;

    /// <summary>The attester of the enclave that <paramref name="context"/> belongs to.</summary>
    /// <exception cref="EnclaveNotSupportedException">The enclave's platform cannot produce evidence.</exception>
    public static PlatformAttester FromContext(EnclaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Platform is IAttestingPlatform platform
            ? new PlatformAttester(platform)
            : throw new EnclaveNotSupportedException($"The platform of enclave '{context.Manifest.Name}' ({context.Platform.GetType().Name}) cannot produce evidence.");
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than <see cref="MaxReportDataLength"/> bytes.</exception>
    public byte[] Attest(ReadOnlySpan<byte> reportData)
    {
        if (reportData.Length > MaxReportDataLength)
        {
            throw new ArgumentException($"Report data is {reportData.Length} bytes; at most {MaxReportDataLength} are allowed.", nameof(reportData));
        }

        return _platform.GetEvidence(reportData);
    }
}
