using System.Security.Cryptography;
using SecGear.Trusted.Attestation;

namespace SecGear.Trusted.Platform;

/// <summary>Remote evidence and local reports of the simulated platform (see docs/attestation.md).</summary>
public sealed partial class SimulatedPlatform
{
    private ECDsa? _attestationKey;
    private PlatformCertificates? _certificates;
    private byte[]? _platformId;

    /// <inheritdoc/>
    public string EvidenceFormat => SimulationEvidence.FormatId;

    /// <inheritdoc/>
    /// <exception cref="PlatformSecretException">The platform secret or its attestation certificates are unusable.</exception>
    /// <exception cref="ObjectDisposedException">The platform has been disposed.</exception>
    public byte[] GetEvidence(ReadOnlySpan<byte> reportData)
    {
        var padded = PadReportData(reportData, SimulationEvidence.ReportDataLength, nameof(reportData));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LoadAttestationMaterial();
            var evidence = new SimulationEvidence
            {
                Measurement = Identity.Measurement,
                Signer = Identity.Signer,
                ProductId = Identity.ProductId,
                SecurityVersion = Identity.SecurityVersion,
                Debug = Identity.Debug,
                InProcess = !_isolated,
                PlatformId = _platformId,
                ReportData = padded,
                AttestationKeyCertificate = _certificates.AttestationKeyCertificate,
                CaCertificate = _certificates.CaCertificate,
            };
            Span<byte> body = stackalloc byte[SimulationEvidence.SignedLength];
            evidence.WriteSignedBody(body);
            var signature = _attestationKey.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return (evidence with { Signature = signature }).Encode();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformSecretException">The platform secret is unusable.</exception>
    /// <exception cref="ObjectDisposedException">The platform has been disposed.</exception>
    public byte[] CreateReport(ReadOnlySpan<byte> targetMeasurement, ReadOnlySpan<byte> reportData)
    {
        if (targetMeasurement.Length != 32)
        {
            throw new ArgumentException($"The target measurement must be 32 bytes; got {targetMeasurement.Length}.", nameof(targetMeasurement));
        }

        var padded = PadReportData(reportData, LocalReport.ReportDataLength, nameof(reportData));
        var report = new byte[LocalReport.Length];
        LocalReport.WriteBody(Identity, targetMeasurement, padded, report);
        Span<byte> key = stackalloc byte[PlatformKeys.ReportKeyLength];
        try
        {
            DeriveReportKey(targetMeasurement, key);
            HMACSHA256.HashData(key, report.AsSpan(0, LocalReport.MacOffset), report.AsSpan(LocalReport.MacOffset));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return report;
    }

    /// <inheritdoc/>
    /// <exception cref="PlatformSecretException">The platform secret is unusable.</exception>
    /// <exception cref="ObjectDisposedException">The platform has been disposed.</exception>
    public LocalReport VerifyReport(ReadOnlySpan<byte> report)
    {
        if (report.Length != LocalReport.Length)
        {
            throw new LocalReportException($"A local report is {LocalReport.Length} bytes; got {report.Length}.");
        }

        // One copy: every check below reads these bytes, never the caller's (possibly shared) memory again.
        Span<byte> copy = stackalloc byte[LocalReport.Length];
        report.CopyTo(copy);
        var target = copy.Slice(76, 32);
        if (!target.SequenceEqual(Identity.Measurement))
        {
            throw new LocalReportException(
                $"The report is addressed to the enclave with measurement {Convert.ToHexStringLower(target)}; this enclave is {Identity.MeasurementHex}.");
        }

        Span<byte> key = stackalloc byte[PlatformKeys.ReportKeyLength];
        Span<byte> mac = stackalloc byte[LocalReport.MacLength];
        try
        {
            DeriveReportKey(Identity.Measurement, key);
            HMACSHA256.HashData(key, copy[..LocalReport.MacOffset], mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, copy[LocalReport.MacOffset..]))
        {
            throw new LocalReportException("The report's MAC does not verify: it was altered, or made on another platform.");
        }

        return LocalReport.TryRead(copy, out var read, out var error) ? read : throw new LocalReportException(error);
    }

    private static byte[] PadReportData(ReadOnlySpan<byte> reportData, int length, string parameterName)
    {
        if (reportData.Length > length)
        {
            throw new ArgumentException($"Report data is at most {length} bytes; got {reportData.Length}.", parameterName);
        }

        var padded = new byte[length];
        reportData.CopyTo(padded);
        return padded;
    }

    private void DeriveReportKey(ReadOnlySpan<byte> targetMeasurement, Span<byte> key)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _secret ??= PlatformSecretFile.LoadOrCreate(_secretPath);
            PlatformKeys.DeriveReportKey(_secret, targetMeasurement, key);
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_attestationKey), nameof(_certificates), nameof(_platformId))]
    private void LoadAttestationMaterial()
    {
        _secret ??= PlatformSecretFile.LoadOrCreate(_secretPath);
        _certificates ??= SimulatedAttestationAuthority.Load(_secretPath, _secret);
        _platformId ??= PlatformKeys.PlatformId(_secret);
        _attestationKey ??= PlatformKeys.DeriveAttestationKey(_secret);
    }
}
