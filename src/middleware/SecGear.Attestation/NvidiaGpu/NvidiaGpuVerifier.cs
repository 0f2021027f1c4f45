using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// Verifies NVIDIA GPU (H100) and NVSwitch evidence: the SPDM 1.1 measurement report, the device chain up to the
/// pinned NVIDIA Device Identity CA, the firmware id binding of the leaf to the report, the report signature, then
/// optional OCSP responses and reference manifests (RIMs) from <see cref="NvidiaGpuCollateral"/>. The requester nonce
/// is the claims' report data: bind it with <see cref="AttestationPolicy.ExpectedReportData"/> (32 bytes). The order
/// and the failure of each check are in docs/attestation-nvidia-gpu.md.
/// </summary>
public sealed class NvidiaGpuVerifier : IEvidenceVerifier
{
    private const int MaxCachedChains = 256;
    private const string DeviceChainName = "device certificate chain";
    private readonly NvidiaGpuVerifierOptions _options;
    private readonly VerifiedLinkCache _links = new();
    private readonly ConcurrentDictionary<string, DeviceChain> _chains = new(StringComparer.Ordinal);

    /// <summary>Creates a verifier trusting the production NVIDIA roots.</summary>
    public NvidiaGpuVerifier()
        : this(new NvidiaGpuVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public NvidiaGpuVerifier(NvidiaGpuVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.NvidiaGpuReport;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > _options.MaxEvidenceSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the GPU evidence is {evidence.Length} bytes; the limit is {_options.MaxEvidenceSize}");
        }

        if (!NvidiaGpuEvidence.TryRead(evidence.Span, out var gpu, out var failure)
            || !SpdmMeasurementReport.TryParse(gpu.Report.Span, out var report, out failure))
        {
            return AttestationResult.Fail(failure);
        }

        if (collateral is not null and not NvidiaGpuCollateral)
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMalformed, $"collateral is {collateral.GetType().Name}, expected {nameof(NvidiaGpuCollateral)}");
        }

        if (!TryGetChain(gpu, out var device, out failure))
        {
            return AttestationResult.Fail(failure);
        }

        failure = NvidiaCertificateChain.CheckValidity(device.Certificates, DeviceChainName, verificationTime);
        failure ??= CheckFirmwareId(report, device);
        failure ??= CheckSignature(report, device);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        var gpuCollateral = (NvidiaGpuCollateral?)collateral;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        failure = CheckRevocation(device.Certificates, gpuCollateral, verificationTime, "revocation", DeviceChainName, fields);
        failure ??= Appraise(report, gpuCollateral, verificationTime, fields);
        var claims = Claims(gpu, report, device, gpuCollateral, fields);
        return failure is null ? AttestationResult.Success(claims) : AttestationResult.Fail(failure, claims);
    }

    private bool TryGetChain(NvidiaGpuEvidence gpu, [NotNullWhen(true)] out DeviceChain? device, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        device = null;
        failure = null;
        string key = gpu.ChainKey();
        if (_chains.TryGetValue(key, out var known))
        {
            device = known;
            return true;
        }

        List<X509Certificate2> certificates;
        try
        {
            certificates = PemCertificates.Read(gpu.CertificateChainPem.Span);
        }
        catch (CryptographicException ex)
        {
            failure = new(AttestationFailureCode.CertificateChainMalformed, $"the device certificate chain cannot be read: {ex.Message}");
            return false;
        }

        try
        {
            failure = NvidiaCertificateChain.Check(certificates, _options.DeviceTrustAnchors, DeviceChainName, _links);
            if (failure is not null)
            {
                return false;
            }

            var leaf = certificates[0];
            using (var leafKey = leaf.GetECDsaPublicKey())
            {
                if (leafKey is not { KeySize: 384 })
                {
                    failure = new(AttestationFailureCode.EndorsementCertificateMalformed, $"the device leaf '{leaf.Subject}' key is not ECDSA P-384");
                    return false;
                }
            }

            if (!NvidiaFirmwareId.TryRead(leaf, out byte[]? fwid, out string? problem))
            {
                failure = new(AttestationFailureCode.DeviceFirmwareIdMismatch, $"{problem}: the first certificate is not the leaf of the signing firmware");
                return false;
            }

            var chain = new DeviceChain(certificates, fwid);
            if (_chains.Count >= MaxCachedChains)
            {
                _chains.Clear();
            }

            _chains.TryAdd(key, chain);
            device = chain;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            failure = new(AttestationFailureCode.CertificateChainMalformed, $"a certificate of the device chain cannot be decoded: {ex.Message}");
            return false;
        }
    }

    private static AttestationFailure? CheckFirmwareId(SpdmMeasurementReport report, DeviceChain device)
    {
        if (report.Opaque.Fwid is not { } fwid)
        {
            return new(AttestationFailureCode.DeviceFirmwareIdMismatch, $"the report carries no FWID (opaque field {NvidiaOpaqueData.FwidType}); the leaf certifies firmware {Convert.ToHexStringLower(device.Fwid)}");
        }

        return fwid.Span.SequenceEqual(device.Fwid)
            ? null
            : new(AttestationFailureCode.DeviceFirmwareIdMismatch, $"the report's FWID is {Convert.ToHexStringLower(fwid.Span)}, the leaf certificate certifies {Convert.ToHexStringLower(device.Fwid)}");
    }

    private static AttestationFailure? CheckSignature(SpdmMeasurementReport report, DeviceChain device)
    {
        // TryGetChain admitted the leaf only with a P-384 key.
        using var key = device.Certificates[0].GetECDsaPublicKey() ?? throw new CryptographicException("the device leaf has no ECDSA key");
        return key.VerifyData(report.SignedBytes, report.Signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : new(AttestationFailureCode.EvidenceSignatureInvalid, string.Create(CultureInfo.InvariantCulture, $"the ECDSA P-384 signature over the {report.SignedLength} bytes of request and response does not verify with the key of '{device.Certificates[0].Subject}'"));
    }

    /// <summary>
    /// Applies the supplied OCSP responses to every non-root certificate of a chain. Records in <paramref name="fields"/>
    /// whether revocation was checked for all of them; fails when one is revoked or a response about it is invalid.
    /// </summary>
    private AttestationFailure? CheckRevocation(IReadOnlyList<X509Certificate2> chain, NvidiaGpuCollateral? collateral, DateTimeOffset time, string claim, string chainName, Dictionary<string, string> fields)
    {
        int good = 0;
        var responses = collateral?.OcspResponses ?? [];
        for (int i = 0; i < chain.Count - 1; i++)
        {
            foreach (var response in responses)
            {
                if (!response.TryGetStatus(chain[i], chain[i + 1], time, _options.OcspMaxAgeWithoutNextUpdate, out var status, out string? problem))
                {
                    return new(AttestationFailureCode.RevocationResponseInvalid, $"{chainName}: {problem}");
                }

                if (status == OcspResponse.Status.Revoked)
                {
                    return new(AttestationFailureCode.CertificateRevoked, $"{chainName}: '{chain[i].Subject}' (serial {chain[i].SerialNumber}) is revoked according to the OCSP response");
                }

                if (status == OcspResponse.Status.Good)
                {
                    good++;
                    break;
                }
            }
        }

        int needed = chain.Count - 1;
        fields[$"{claim}_checked"] = good == needed ? "true" : "false";
        fields[claim] = good == needed
            ? string.Create(CultureInfo.InvariantCulture, $"checked: OCSP says good for all {needed} non-root certificates")
            : responses.Count == 0
                ? "not checked: no OCSP responses supplied (NVIDIA revocation is online OCSP only)"
                : string.Create(CultureInfo.InvariantCulture, $"partial: OCSP says good for {good} of {needed} non-root certificates");
        return null;
    }

    /// <summary>Checks the RIMs (signature, signer chain, versions) and compares the measurements index by index.</summary>
    private AttestationFailure? Appraise(SpdmMeasurementReport report, NvidiaGpuCollateral? collateral, DateTimeOffset time, Dictionary<string, string> fields)
    {
        var manifests = new[] { collateral?.DriverManifest, collateral?.VbiosManifest }.OfType<NvidiaReferenceManifest>().ToList();
        fields["rim_driver_version"] = collateral?.DriverManifest?.Version ?? "none";
        fields["rim_vbios_version"] = collateral?.VbiosManifest?.Version ?? "none";
        fields["measurements_appraised"] = "false";
        if (collateral is null || manifests.Count == 0)
        {
            fields["reference_values"] = "not appraised: no RIMs supplied";
            return null;
        }

        foreach (var manifest in manifests)
        {
            var failure = CheckManifest(manifest, collateral, time, fields);
            if (failure is not null)
            {
                return failure;
            }
        }

        string? reported = null;
        foreach (var manifest in manifests)
        {
            reported = manifest.Kind == NvidiaRimKind.Driver ? report.Opaque.DriverVersion : report.Opaque.VbiosVersion;
            if (_options.RequireRimVersionMatch && !string.Equals(reported, manifest.Version, StringComparison.OrdinalIgnoreCase))
            {
                fields["reference_values"] = "mismatch: RIM version";
                return new(AttestationFailureCode.ReferenceValueMismatch, $"the {manifest.Kind} RIM '{manifest.TagId}' is for version {manifest.Version}, the report's {manifest.Kind} version is {reported ?? "(absent)"}");
            }
        }

        return CompareMeasurements(report, manifests, fields);
    }

    private AttestationFailure? CheckManifest(NvidiaReferenceManifest manifest, NvidiaGpuCollateral collateral, DateTimeOffset time, Dictionary<string, string> fields)
    {
        string name = manifest.Kind == NvidiaRimKind.Driver ? "driver RIM" : "VBIOS RIM";
        if (!manifest.DigestMatches)
        {
            return new(AttestationFailureCode.ReferenceManifestSignatureInvalid, $"the {name} '{manifest.TagId}': the SHA-384 of its canonical content differs from the signed DigestValue (the manifest was changed after signing)");
        }

        string chainName = $"{name} signer chain";
        var failure = NvidiaCertificateChain.Check(manifest.SignerChain, _options.RimTrustAnchors, chainName, _links)
            ?? NvidiaCertificateChain.CheckValidity(manifest.SignerChain, chainName, time);
        if (failure is not null)
        {
            return new(AttestationFailureCode.ReferenceManifestUntrusted, $"{failure.Code}: {failure.Message}");
        }

        if (!manifest.SignatureVerifies)
        {
            return new(AttestationFailureCode.ReferenceManifestSignatureInvalid, $"the {name} '{manifest.TagId}': the ECDSA P-384 signature over its canonical SignedInfo does not verify with the key of '{manifest.SignerChain[0].Subject}'");
        }

        return CheckRevocation(manifest.SignerChain, collateral, time, manifest.Kind == NvidiaRimKind.Driver ? "rim_driver_revocation" : "rim_vbios_revocation", chainName, fields);
    }

    /// <summary>
    /// As NVIDIA's verifier does: the active entries of both RIMs (an index active in both is an error; more active
    /// entries than blocks is an error); RIM index i is SPDM block i + 1; the block must equal one alternative and have
    /// the declared size; index 35 is skipped when NVDEC0 is disabled. Every mismatch is recorded; the first fails.
    /// </summary>
    private static AttestationFailure? CompareMeasurements(SpdmMeasurementReport report, List<NvidiaReferenceManifest> manifests, Dictionary<string, string> fields)
    {
        var active = new Dictionary<int, (RimMeasurement Golden, NvidiaReferenceManifest Manifest)>();
        foreach (var manifest in manifests)
        {
            foreach (var golden in manifest.Measurements.Where(m => m.Active))
            {
                if (!active.TryAdd(golden.Index, (golden, manifest)))
                {
                    fields["reference_values"] = "mismatch: overlapping RIMs";
                    return new(AttestationFailureCode.ReferenceValueMismatch, $"RIM index {golden.Index} is active in both the driver and the VBIOS RIM");
                }
            }
        }

        if (active.Count > report.Blocks.Count)
        {
            fields["reference_values"] = "mismatch: too many golden values";
            return new(AttestationFailureCode.ReferenceValueMismatch, $"the RIMs have {active.Count} active measurements, the report only {report.Blocks.Count} blocks");
        }

        var blocks = report.Blocks.ToDictionary(b => b.Index);
        var mismatches = new List<int>();
        AttestationFailure? first = null;
        int compared = 0;
        foreach (var (index, (golden, manifest)) in active.OrderBy(a => a.Key))
        {
            if (index == 35 && report.Opaque.Nvdec0Disabled)
            {
                continue;
            }

            compared++;
            string? problem = !blocks.TryGetValue(index + 1, out var block)
                ? $"the report has no block {index + 1}"
                : block.Value.Length != golden.Size
                    ? $"block {index + 1} is {block.Value.Length} bytes, the RIM declares {golden.Size}"
                    : golden.Alternatives.Any(a => a.Span.SequenceEqual(block.Value.Span))
                        ? null
                        : $"found {Convert.ToHexStringLower(block.Value.Span)}, expected {string.Join(" or ", golden.Alternatives.Select(a => Convert.ToHexStringLower(a.Span)))}";
            if (problem is not null)
            {
                mismatches.Add(index);
                first ??= new(AttestationFailureCode.ReferenceValueMismatch, $"{manifest.Kind} RIM index {index} (SPDM block {index + 1}): {problem}");
            }
        }

        fields["rim_compared_indices"] = compared.ToString(CultureInfo.InvariantCulture);
        fields["rim_mismatched_indices"] = string.Join(",", mismatches.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        fields["reference_values"] = first is null ? "match" : string.Create(CultureInfo.InvariantCulture, $"mismatch: {mismatches.Count} of {compared} measurements");
        fields["measurements_appraised"] = first is null && manifests.Count == 2 ? "true" : "false";
        return first;
    }

    private static AttestationClaims Claims(NvidiaGpuEvidence gpu, SpdmMeasurementReport report, DeviceChain device, NvidiaGpuCollateral? collateral, Dictionary<string, string> fields)
    {
        foreach (var (name, value) in report.Opaque.ToClaims())
        {
            fields[name] = value;
        }

        foreach (var block in report.Blocks)
        {
            fields[string.Create(CultureInfo.InvariantCulture, $"measurement_{block.Index}")] = Convert.ToHexStringLower(block.Value.Span);
        }

        fields["measurement_block_count"] = report.Blocks.Count.ToString(CultureInfo.InvariantCulture);
        fields["device_kind"] = device.Kind;
        fields["architecture"] = gpu.Architecture ?? device.Architecture;
        fields["device_id"] = device.DeviceId;
        fields["device_certificate_subject"] = device.Certificates[0].Subject;
        fields["responder_nonce"] = Convert.ToHexStringLower(report.ResponderNonce.Span);
        fields["slot_id"] = report.SlotId.ToString(CultureInfo.InvariantCulture);
        var (from, until) = NvidiaCertificateChain.Window(device.Certificates);
        return new AttestationClaims
        {
            Format = EvidenceFormats.NvidiaGpuReport,
            Tee = TeeKind.NvidiaGpu,
            UniqueId = device.Fwid,
            SignerId = ReadOnlyMemory<byte>.Empty,
            Debug = false,
            ReportData = report.RequesterNonce,
            TcbStatus = TcbStatus.NotApplicable,
            CollateralValidFrom = collateral is null ? from : Max(from, collateral.ValidFrom),
            CollateralValidUntil = collateral is null ? until : Min(until, collateral.ValidUntil),
            Fields = fields,
        };
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>A device chain whose links reached a pinned root, with its leaf's firmware id; validity is checked on every use.</summary>
    private sealed class DeviceChain(IReadOnlyList<X509Certificate2> certificates, byte[] fwid)
    {
        public IReadOnlyList<X509Certificate2> Certificates { get; } = certificates;

        public byte[] Fwid { get; } = fwid;

        /// <summary>The per-device id: the serialNumber attribute of the leaf's issuer (the GSP/FSP BROM certificate).</summary>
        public string DeviceId { get; } = SerialNumberAttribute(certificates[0].IssuerName) ?? string.Empty;

        /// <summary><c>gpu</c> for a GH100 leaf, <c>nvswitch</c> for an LS10 leaf, else <c>unknown</c>.</summary>
        public string Kind { get; } = certificates[0].GetNameInfo(X509NameType.SimpleName, forIssuer: false) switch
        {
            var cn when cn.StartsWith("GH100", StringComparison.Ordinal) => "gpu",
            var cn when cn.StartsWith("LS_10", StringComparison.Ordinal) => "nvswitch",
            _ => "unknown",
        };

        public string Architecture => Kind switch { "gpu" or "nvswitch" => "HOPPER", _ => "unknown" };

        private static string? SerialNumberAttribute(X500DistinguishedName name) =>
            name.EnumerateRelativeDistinguishedNames().FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.5")?.GetSingleElementValue();
    }
}
