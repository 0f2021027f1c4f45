using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// Verifies AMD SEV-SNP attestation reports (versions 2, 3 and 5) with their VCEK or VLEK: parse, key choice,
/// chain to a pinned ARK (RSASSA-PSS SHA-384), validity, product, report signature (ECDSA P-384), then the binding of
/// the key to the report (REPORTED_TCB and CHIP_ID). The order and failure names are in docs/attestation-sev-nitro-cca.md.
/// </summary>
public sealed class SevSnpVerifier : IEvidenceVerifier
{
    private readonly SevSnpVerifierOptions _options;
    private readonly VerifiedLinkCache _links = new();

    /// <summary>Creates a verifier trusting the production AMD roots.</summary>
    public SevSnpVerifier()
        : this(new SevSnpVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public SevSnpVerifier(SevSnpVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.AmdSevSnpReport;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (!SnpReport.TryParse(evidence.Span, out var report, out var parseFailure))
        {
            return AttestationResult.Fail(parseFailure);
        }

        if (report.SigningKey is not (0 or 1))
        {
            return Fail(AttestationFailureCode.UnsupportedSigningKey, $"SIGNING_KEY is {report.SigningKey}, expected 0 (VCEK) or 1 (VLEK)");
        }

        if (collateral is null)
        {
            return Fail(AttestationFailureCode.CollateralMissing, $"an SEV-SNP report needs its {KeyName(report)} certificate and AMD chain as {nameof(SevSnpCollateral)}");
        }

        if (collateral is not SevSnpCollateral amd)
        {
            return Fail(AttestationFailureCode.CollateralMalformed, $"collateral is {collateral.GetType().Name}, expected {nameof(SevSnpCollateral)}");
        }

        try
        {
            var failure = CheckChain(report, amd, verificationTime, out var extensions, out var product);
            failure ??= CheckSignature(report, amd.KeyCertificate);
            failure ??= CheckBinding(report, extensions!, product);
            return failure is null ? AttestationResult.Success(Claims(report, amd, extensions!, product)) : AttestationResult.Fail(failure);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            // A certificate that loaded but whose extensions or key cannot be decoded: reject, never throw.
            return Fail(AttestationFailureCode.CertificateChainMalformed, $"a certificate of the VCEK/VLEK chain cannot be decoded: {FailureText.Of(ex)}");
        }
    }

    private static string KeyName(SnpReport report) => report.SigningKey == 1 ? "VLEK" : "VCEK";

    private static AttestationResult Fail(AttestationFailureCode code, string message) => AttestationResult.Fail(code, message);

    private AttestationFailure? CheckChain(SnpReport report, SevSnpCollateral amd, DateTimeOffset time, out AmdKeyExtensions? extensions, out SnpProduct product)
    {
        extensions = null;
        product = SnpProduct.Unknown;
        var key = amd.KeyCertificate;
        string keyName = KeyName(report);
        string expectedCn = report.SigningKey == 1 ? "SEV-VLEK" : "SEV-VCEK";
        string cn = key.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.Equals(cn, expectedCn, StringComparison.Ordinal))
        {
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the report is signed by the {keyName}, but the certificate is CN={cn}, expected CN={expectedCn}");
        }

        try
        {
            using (var publicKey = key.GetECDsaPublicKey())
            {
                if (publicKey is null || publicKey.KeySize != 384)
                {
                    return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the {keyName} public key is {(publicKey is null ? "not ECDSA" : $"ECDSA P-{publicKey.KeySize}")}, expected ECDSA P-384");
                }
            }

            extensions = AmdKeyExtensions.Read(key);
        }
        catch (CryptographicException ex)
        {
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"{keyName}: {FailureText.Of(ex)}");
        }

        product = extensions.Product;
        if (product == SnpProduct.Unknown)
        {
            return new(AttestationFailureCode.EndorsementProductMismatch, $"the {keyName} productName is '{extensions.ProductName}', expected Milan, Genoa or Turin");
        }

        if (report.CpuidProduct != SnpProduct.Unknown && report.CpuidProduct != product)
        {
            return new(AttestationFailureCode.EndorsementProductMismatch, $"the report's CPUID says {report.CpuidProduct}, the {keyName} is for {product}");
        }

        var intermediate = amd.Chain.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(key.IssuerName.RawData));
        if (intermediate is null)
        {
            return new(AttestationFailureCode.CertificateIssuerMismatch, $"no certificate in the AMD chain is the {keyName}'s issuer '{key.Issuer}'; chain subjects: {string.Join("; ", amd.Chain.Select(c => c.Subject))}");
        }

        string intermediateCn = intermediate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        string expectedIntermediate = report.SigningKey == 1 ? $"SEV-VLEK-{product}" : $"SEV-{product}";
        if (!string.Equals(intermediateCn, expectedIntermediate, StringComparison.Ordinal))
        {
            return new(AttestationFailureCode.EndorsementProductMismatch, $"the {keyName} for {product} is issued by CN={intermediateCn}, expected CN={expectedIntermediate}");
        }

        var root = amd.Chain.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(intermediate.IssuerName.RawData)
            && c.IssuerName.RawData.AsSpan().SequenceEqual(c.SubjectName.RawData));
        if (root is null)
        {
            return new(AttestationFailureCode.CertificateIssuerMismatch, $"no self-issued certificate in the AMD chain is {intermediateCn}'s issuer '{intermediate.Issuer}'");
        }

        if (!_options.TrustAnchors.Contains(root.RawData))
        {
            return new(AttestationFailureCode.RootNotTrusted, $"the ARK '{root.Subject}' has SHA-256 fingerprint {Convert.ToHexString(SHA256.HashData(root.RawData))}, which is not pinned");
        }

        if (!IsCertificateAuthority(intermediate) || !IsCertificateAuthority(root))
        {
            return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"{(IsCertificateAuthority(root) ? intermediateCn : "the ARK")} is marked as not a CA in its basic constraints");
        }

        foreach (var (subject, issuer, name) in new[] { (root, root, "ARK (self-signed)"), (intermediate, root, intermediateCn), (key, intermediate, keyName) })
        {
            if (!_links.IsSignedBy(subject, issuer, AmdCertificateSignature.IsSignedBy))
            {
                return new(AttestationFailureCode.CertificateSignatureInvalid, $"the {name} certificate's RSASSA-PSS SHA-384 signature does not verify with the key of '{issuer.Subject}'");
            }
        }

        foreach (var (certificate, name) in new[] { (root, "ARK"), (intermediate, intermediateCn), (key, keyName) })
        {
            if (time < certificate.NotBefore.ToUniversalTime() || time > certificate.NotAfter.ToUniversalTime())
            {
                return new(AttestationFailureCode.CertificateExpired, string.Create(CultureInfo.InvariantCulture, $"the {name} certificate is valid {certificate.NotBefore.ToUniversalTime():u}..{certificate.NotAfter.ToUniversalTime():u}, not at {time.UtcDateTime:u}"));
            }
        }

        return null;
    }

    private static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: false };

    private static AttestationFailure? CheckSignature(SnpReport report, X509Certificate2 key)
    {
        using var publicKey = key.GetECDsaPublicKey()!;
        return publicKey.VerifyData(report.SignedBytes, report.SignatureP1363(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : new(AttestationFailureCode.EvidenceSignatureInvalid, $"the report's ECDSA P-384 signature does not verify with the {KeyName(report)} key");
    }

    private static AttestationFailure? CheckBinding(SnpReport report, AmdKeyExtensions extensions, SnpProduct product)
    {
        var tcb = SnpTcbVersion.FromRaw(report.ReportedTcbRaw, product);
        var components = new (string Name, int? Certified, byte Reported)[]
        {
            ("blSPL", extensions.BootLoaderSpl, tcb.BootLoader), ("teeSPL", extensions.TeeSpl, tcb.Tee),
            ("snpSPL", extensions.SnpSpl, tcb.Snp), ("ucodeSPL", extensions.MicrocodeSpl, tcb.Microcode),
        };
        if (product == SnpProduct.Turin)
        {
            components = [.. components, ("fmcSPL", extensions.FmcSpl, tcb.Fmc)];
        }

        foreach (var (name, certified, reported) in components)
        {
            if (certified != reported)
            {
                return new(AttestationFailureCode.EndorsementTcbMismatch, $"the {KeyName(report)} {name} is {certified?.ToString(CultureInfo.InvariantCulture) ?? "missing"}, the report's REPORTED_TCB has {reported} ({tcb})");
            }
        }

        if (report.SigningKey == 1 || report.MaskChipKey)
        {
            return null;
        }

        if (extensions.HardwareId is not { } hardwareId)
        {
            return new(AttestationFailureCode.EndorsementHardwareIdMismatch, "the VCEK has no hwID extension");
        }

        var chipId = product == SnpProduct.Turin ? report.ChipId.AsSpan(0, 8) : report.ChipId;
        return hardwareId.AsSpan().SequenceEqual(chipId)
            ? null
            : new(AttestationFailureCode.EndorsementHardwareIdMismatch, $"the VCEK hwID {Convert.ToHexStringLower(hardwareId)} differs from the report's CHIP_ID {Convert.ToHexStringLower(chipId)}");
    }

    private static AttestationClaims Claims(SnpReport report, SevSnpCollateral amd, AmdKeyExtensions extensions, SnpProduct product)
    {
        string Hex(byte[] value) => Convert.ToHexStringLower(value);
        string Tcb(ulong raw) => SnpTcbVersion.FromRaw(raw, product).ToString();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["report_version"] = report.Version.ToString(CultureInfo.InvariantCulture),
            ["product"] = product.ToString(),
            ["signing_key"] = KeyName(report),
            ["policy"] = string.Create(CultureInfo.InvariantCulture, $"0x{report.Policy:x}"),
            ["policy_debug"] = Bool(report.DebugAllowed),
            ["policy_migrate_ma"] = Bool(report.MigrationAgentAllowed),
            ["policy_smt"] = Bool(report.SmtAllowed),
            ["policy_single_socket"] = Bool((report.Policy & SnpReport.PolicySingleSocket) != 0),
            ["vmpl"] = report.Vmpl.ToString(CultureInfo.InvariantCulture),
            ["guest_svn"] = report.GuestSvn.ToString(CultureInfo.InvariantCulture),
            ["family_id"] = Hex(report.FamilyId),
            ["image_id"] = Hex(report.ImageId),
            ["host_data"] = Hex(report.HostData),
            ["id_key_digest"] = Hex(report.IdKeyDigest),
            ["author_key_digest"] = Hex(report.AuthorKeyDigest),
            ["report_id"] = Hex(report.ReportId),
            ["report_id_ma"] = Hex(report.ReportIdMa),
            ["chip_id"] = Hex(report.ChipId),
            ["platform_info"] = string.Create(CultureInfo.InvariantCulture, $"0x{report.PlatformInfo:x}"),
            ["platform_smt_enabled"] = Bool((report.PlatformInfo & 1) != 0),
            ["reported_tcb"] = Tcb(report.ReportedTcbRaw),
            ["current_tcb"] = Tcb(report.CurrentTcbRaw),
            ["committed_tcb"] = Tcb(report.CommittedTcbRaw),
            ["launch_tcb"] = Tcb(report.LaunchTcbRaw),
            ["current_firmware"] = report.CurrentFirmware.ToString(),
            ["committed_firmware"] = report.CommittedFirmware.ToString(),
            ["endorsement_product_name"] = extensions.ProductName,
        };
        if (extensions.CspId is { } csp)
        {
            fields["csp_id"] = csp;
        }

        if (report.CurrentMitigationVector is { } current)
        {
            fields["launch_mit_vector"] = string.Create(CultureInfo.InvariantCulture, $"0x{report.LaunchMitigationVector:x}");
            fields["current_mit_vector"] = string.Create(CultureInfo.InvariantCulture, $"0x{current:x}");
        }

        bool hasIdBlock = report.IdKeyDigest.AsSpan().ContainsAnyExcept((byte)0);
        return new AttestationClaims
        {
            Format = EvidenceFormats.AmdSevSnpReport,
            Tee = TeeKind.SevSnp,
            UniqueId = report.Measurement,
            SignerId = hasIdBlock ? report.IdKeyDigest : ReadOnlyMemory<byte>.Empty,
            SecurityVersion = hasIdBlock ? (int)Math.Min(report.GuestSvn, int.MaxValue) : null,
            Debug = report.DebugAllowed,
            ReportData = report.ReportData,
            TcbStatus = TcbStatus.NotApplicable,
            CollateralValidFrom = amd.ValidFrom,
            CollateralValidUntil = amd.ValidUntil,
            Fields = fields,
        };
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
