using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;
using static SecGear.Attestation.AttestationFailureCode;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Verifies Intel DCAP quotes (SGX v3, TDX v4/v5) in Intel QVL order: parse; PCK chain to a pinned root; QE report
/// signature and binding; quote signature; CRLs; TCB info and QE identity (signatures over their exact bytes,
/// validity, ids); the TCB-level algorithm. Every failure names its check. Thread-safe.
/// </summary>
public sealed class IntelDcapVerifier : IEvidenceVerifier
{
    private readonly IntelDcapVerifierOptions _options;
    private readonly SignatureCache _cache = new();
    private readonly PckChainCache _chains = new();
    private readonly AttestationKeyCache _attestationKeys = new();

    /// <summary>Creates a verifier trusting the production Intel SGX Root CA.</summary>
    public IntelDcapVerifier()
        : this(new IntelDcapVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with options.</summary>
    public IntelDcapVerifier(IntelDcapVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.TrustAnchors);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.IntelDcapQuote;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        try
        {
            return VerifyQuote(evidence, collateral, verificationTime);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or AsnContentException or ArgumentException)
        {
            // Backstop: every expected problem is a named check below; anything else malformed still must not escape.
            return AttestationResult.Fail(EvidenceMalformed, $"evidence could not be processed: {FailureText.Of(ex)}");
        }
    }

    private AttestationResult VerifyQuote(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset time)
    {
        if (!DcapQuoteParser.TryParse(evidence, _options.MaxQuoteSize, out var quote, out var failure))
        {
            return AttestationResult.Fail(failure);
        }

        if (quote.TrailingByteCount > 0 && !_options.AllowTrailingBytes)
        {
            return AttestationResult.Fail(TrailingBytes, $"{quote.TrailingByteCount} bytes follow the declared signature data");
        }

        IReadOnlyList<X509Certificate2> chain;
        if (quote.CertificationDataType == DcapQuoteParser.PckCertChainType)
        {
            try
            {
                chain = _chains.Read(quote.CertificationData.Span);
            }
            catch (CryptographicException ex)
            {
                return AttestationResult.Fail(PckChainMalformed, $"PCK certificate chain: {FailureText.Of(ex)}");
            }
        }
        else if (quote.CertificationDataType is >= 1 and <= 4 && collateral is IntelCollateral { PckCertificateChain: { } supplied })
        {
            chain = supplied;
        }
        else
        {
            return AttestationResult.Fail(UnsupportedCertificationDataType, $"certification data type is {quote.CertificationDataType}, expected 5 (PCK certificate chain); for types 1-4 supply the chain with IntelCollateral.WithPckCertificateChain");
        }

        if (chain.Count != 3)
        {
            return AttestationResult.Fail(PckChainMalformed, $"PCK certificate chain has {chain.Count} certificates, expected 3 (PCK, intermediate CA, root)");
        }

        var (pck, intermediate, root) = (chain[0], chain[1], chain[2]);
        failure = CheckPckChain(pck, intermediate, root, time);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        PckExtension extension;
        try
        {
            extension = PckExtension.Read(pck);
        }
        catch (FormatException ex)
        {
            return AttestationResult.Fail(PckExtensionMalformed, FailureText.Of(ex));
        }

        failure = CheckQeReport(quote, pck) ?? CheckQuoteSignature(quote);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        if (collateral is null)
        {
            return AttestationResult.Fail(CollateralMissing, "the quote's signatures and PCK chain verify, but the TCB status needs collateral (TCB info, QE identity, CRLs)");
        }

        if (collateral is not IntelCollateral intel)
        {
            return AttestationResult.Fail(CollateralMalformed, $"expected Intel collateral, got {collateral.GetType().Name}");
        }

        IsvTcbLevel? qeLevel = null;
        failure = CheckCrls(intel, pck, intermediate, root, time)
            ?? CheckTcbInfo(intel, quote, extension, root, time)
            ?? CheckQeIdentity(intel, quote, root, time, out qeLevel);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        var evaluation = TcbEvaluator.Evaluate(quote, extension, intel.TcbInfo, qeLevel);
        var claims = BuildClaims(quote, extension, intel, evaluation, qeLevel, chain);
        if (evaluation.Failure is not null)
        {
            return AttestationResult.Fail(evaluation.Failure, claims);
        }

        return evaluation.Status switch
        {
            TcbStatus.NotSupported => AttestationResult.Fail(
                new AttestationFailure(TcbLevelNotSupported, $"no TCB level matches the platform: PCK SGX components [{string.Join(",", extension.SgxComponents)}], PCESVN {extension.PceSvn}"
                    + (quote.TdBody is null ? string.Empty : $", TEE_TCB_SVN {Hex.Lower(quote.TdBody.TeeTcbSvn)}") + $"; best level requires [{string.Join(",", intel.TcbInfo.TcbLevels[0].SgxComponents)}], PCESVN {intel.TcbInfo.TcbLevels[0].PceSvn}"),
                claims),
            TcbStatus.Revoked when TcbEvaluator.QeStatus(qeLevel) == TcbStatus.Revoked => AttestationResult.Fail(
                new AttestationFailure(QeTcbRevoked, $"QE ISVSVN {quote.QeReport.IsvSvn} is {(qeLevel is null ? "below every QE identity TCB level" : "at a Revoked level")}: the TCB status is Revoked"),
                claims),
            TcbStatus.Revoked => AttestationResult.Fail(new AttestationFailure(TcbRevoked, "the platform's TCB level is Revoked"), claims),
            _ => AttestationResult.Success(claims),
        };
    }

    private AttestationFailure? CheckPckChain(X509Certificate2 pck, X509Certificate2 intermediate, X509Certificate2 root, DateTimeOffset time)
    {
        if (!pck.IssuerName.RawData.AsSpan().SequenceEqual(intermediate.SubjectName.RawData))
        {
            return new(PckChainIssuerMismatch, $"PCK certificate issuer '{pck.Issuer}' is not the intermediate CA's subject '{intermediate.Subject}'");
        }

        if (!intermediate.IssuerName.RawData.AsSpan().SequenceEqual(root.SubjectName.RawData))
        {
            return new(PckChainIssuerMismatch, $"intermediate CA issuer '{intermediate.Issuer}' is not the root's subject '{root.Subject}'");
        }

        if (!IsCa(intermediate) || !IsCa(root))
        {
            return new(IssuerNotCertificateAuthority, $"'{(IsCa(intermediate) ? root : intermediate).Subject}' is not a CA certificate (basic constraints)");
        }

        if (!_cache.IsSignedBy(SignedData.Parse(pck.RawDataMemory), intermediate))
        {
            return new(PckCertificateSignatureInvalid, $"PCK certificate signature does not verify with the key of '{intermediate.Subject}'");
        }

        if (!_cache.IsSignedBy(SignedData.Parse(intermediate.RawDataMemory), root))
        {
            return new(IntermediateCertificateSignatureInvalid, $"intermediate CA '{intermediate.Subject}' signature does not verify with the root's key");
        }

        if (!_options.TrustAnchors.Contains(root.RawData))
        {
            return new(RootNotTrusted, $"root certificate '{root.Subject}' (SHA-256 {Convert.ToHexString(SHA256.HashData(root.RawData))}) is not a pinned trust anchor; pinned: {string.Join(", ", _options.TrustAnchors.Fingerprints)}");
        }

        return CheckValidity(pck, time, PckCertificateExpired, "PCK certificate")
            ?? CheckValidity(intermediate, time, IntermediateCertificateExpired, "intermediate CA certificate")
            ?? CheckValidity(root, time, RootCertificateExpired, "root certificate");
    }

    private AttestationFailure? CheckQeReport(DcapQuote quote, X509Certificate2 pck)
    {
        // Cached by content: the QE report and its signature repeat in every quote of a platform.
        if (!_cache.IsSignedBy(quote.QeReport.Raw.Span, quote.QeReportSignature.Span, pck))
        {
            return new(QeReportSignatureInvalid, "QE report signature does not verify with the PCK certificate's key");
        }

        Span<byte> expected = stackalloc byte[32];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(quote.AttestationKey.Span);
            hash.AppendData(quote.QeAuthData.Span);
            hash.GetHashAndReset(expected);
        }

        var reportData = quote.QeReport.ReportData;
        if (!reportData[..32].SequenceEqual(expected) || reportData[32..].ContainsAnyExcept((byte)0))
        {
            return new(QeReportDataMismatch, $"QE report data is {Hex.Lower(reportData)}, expected SHA-256(attestation key || QE auth data) = {Hex.Lower(expected)} followed by 32 zero bytes");
        }

        return null;
    }

    private AttestationFailure? CheckQuoteSignature(DcapQuote quote) =>
        _attestationKeys.Verify(quote.AttestationKey.Span, quote.SignedRegion.Span, quote.Signature.Span) switch
        {
            null => new(AttestationKeyInvalid, "the attestation key is not a point on P-256"),
            true => null,
            false => new(QuoteSignatureInvalid, $"quote signature over the {quote.SignedRegion.Length}-byte signed region does not verify with the attestation key"),
        };

    private AttestationFailure? CheckCrls(IntelCollateral collateral, X509Certificate2 pck, X509Certificate2 intermediate, X509Certificate2 root, DateTimeOffset time)
    {
        var rootCrl = collateral.RootCaCrl;
        if (!rootCrl.Issuer.AsSpan().SequenceEqual(root.SubjectName.RawData) || !_cache.IsSignedBy(rootCrl.Signed, root))
        {
            return new(RootCaCrlSignatureInvalid, "root CA CRL is not issued and signed by the pinned root");
        }

        if (!rootCrl.IsCurrent(time))
        {
            return new(RootCaCrlExpired, $"root CA CRL is valid {Iso(rootCrl.ThisUpdate)}..{Iso(rootCrl.NextUpdate)}, verification time is {Iso(time)}");
        }

        if (rootCrl.IsRevoked(intermediate.SerialNumberBytes.Span))
        {
            return new(IntermediateCertificateRevoked, $"intermediate CA '{intermediate.Subject}' (serial {intermediate.SerialNumber}) is listed in the root CA CRL");
        }

        // The PCK CRL is checked with the CA of its own issuer chain when the collateral carries one (as QVL does), and
        // that CA must be the one that issued the PCK certificate; without a chain, the quote's CA is the only candidate.
        var crlIssuer = intermediate;
        if (collateral.PckCrlIssuerChain.Count > 0 && !TryCheckPckCrlIssuerChain(collateral, intermediate, root, time, out crlIssuer, out var chainFailure))
        {
            return chainFailure;
        }

        var pckCrl = collateral.PckCrl;
        if (!pckCrl.Issuer.AsSpan().SequenceEqual(crlIssuer.SubjectName.RawData))
        {
            return new(PckCrlIssuerMismatch, $"PCK CRL is issued by another CA than the PCK certificate's issuer '{intermediate.Subject}'");
        }

        if (!_cache.IsSignedBy(pckCrl.Signed, crlIssuer))
        {
            return new(PckCrlSignatureInvalid, $"PCK CRL signature does not verify with the key of '{crlIssuer.Subject}'");
        }

        if (!pckCrl.IsCurrent(time))
        {
            return new(PckCrlExpired, $"PCK CRL is valid {Iso(pckCrl.ThisUpdate)}..{Iso(pckCrl.NextUpdate)}, verification time is {Iso(time)}");
        }

        return pckCrl.IsRevoked(pck.SerialNumberBytes.Span)
            ? new(PckCertificateRevoked, $"PCK certificate serial {pck.SerialNumber} is listed in the PCK CRL")
            : null;
    }

    /// <summary>
    /// The PCK CRL issuer chain: [PCK CA, root]. The root must be pinned and carry the PCK chain root's key, the CA must
    /// be issued and signed by it, be current and not revoked by the root CA CRL, and be the very CA that issued the
    /// PCK certificate (same subject and key) — else the CRL would speak for another CA's certificates.
    /// </summary>
    private bool TryCheckPckCrlIssuerChain(
        IntelCollateral collateral,
        X509Certificate2 pckIssuer,
        X509Certificate2 quoteRoot,
        DateTimeOffset time,
        [NotNullWhen(true)] out X509Certificate2? ca,
        [NotNullWhen(false)] out AttestationFailure? failure)
    {
        ca = null;
        failure = null;
        var chain = collateral.PckCrlIssuerChain;
        if (chain.Count != 2)
        {
            failure = new(PckCrlIssuerChainInvalid, $"PCK CRL issuer chain has {chain.Count} certificates, expected 2 (PCK CA, root)");
            return false;
        }

        var (candidate, root) = (chain[0], chain[1]);
        if (!_options.TrustAnchors.Contains(root.RawData))
        {
            failure = new(PckCrlIssuerChainInvalid, $"PCK CRL issuer chain root '{root.Subject}' (SHA-256 {Convert.ToHexString(SHA256.HashData(root.RawData))}) is not a pinned trust anchor");
            return false;
        }

        if (!root.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(quoteRoot.PublicKey.EncodedKeyValue.RawData))
        {
            failure = new(PckCrlIssuerChainInvalid, "PCK CRL issuer chain ends at another root than the PCK chain");
            return false;
        }

        if (!IsCa(candidate) || !candidate.IssuerName.RawData.AsSpan().SequenceEqual(root.SubjectName.RawData) || !_cache.IsSignedBy(SignedData.Parse(candidate.RawDataMemory), root))
        {
            failure = new(PckCrlIssuerChainInvalid, $"PCK CRL issuer chain CA '{candidate.Subject}' is not a CA issued and signed by the root");
            return false;
        }

        if (collateral.RootCaCrl.IsRevoked(candidate.SerialNumberBytes.Span))
        {
            failure = new(IntermediateCertificateRevoked, $"PCK CRL issuer CA '{candidate.Subject}' (serial {candidate.SerialNumber}) is listed in the root CA CRL");
            return false;
        }

        failure = CheckValidity(candidate, time, PckCrlIssuerChainInvalid, "PCK CRL issuer CA certificate")
            ?? CheckValidity(root, time, PckCrlIssuerChainInvalid, "PCK CRL issuer chain root certificate");
        if (failure is not null)
        {
            return false;
        }

        if (!candidate.SubjectName.RawData.AsSpan().SequenceEqual(pckIssuer.SubjectName.RawData)
            || !candidate.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(pckIssuer.PublicKey.EncodedKeyValue.RawData))
        {
            failure = new(PckCrlIssuerMismatch, $"PCK CRL issuer chain names CA '{candidate.Subject}', but the PCK certificate was issued by '{pckIssuer.Subject}' (another name or key)");
            return false;
        }

        ca = candidate;
        return true;
    }

    private AttestationFailure? CheckTcbInfo(IntelCollateral collateral, DcapQuote quote, PckExtension extension, X509Certificate2 root, DateTimeOffset time)
    {
        if (!TryCheckSigningChain(collateral.TcbInfoIssuerChain, collateral, root, time, "TCB info", out var signer, out var failure))
        {
            return failure;
        }

        if (!_cache.IsSignedBy(collateral.TcbInfoSigned.Body, collateral.TcbInfoSigned.Signature, signer))
        {
            return new(TcbInfoSignatureInvalid, $"TCB info signature does not verify over its {collateral.TcbInfoSigned.Body.Length} signed bytes with the key of '{signer.Subject}'");
        }

        var info = collateral.TcbInfo;
        if (time < info.IssueDate)
        {
            return new(TcbInfoNotYetValid, $"TCB info is issued {Iso(info.IssueDate)}, after the verification time {Iso(time)}");
        }

        if (time > info.NextUpdate)
        {
            return new(TcbInfoExpired, $"TCB info expired at nextUpdate {Iso(info.NextUpdate)}; verification time is {Iso(time)}");
        }

        string expectedId = quote.Tee == TeeKind.Tdx ? "TDX" : "SGX";
        if (info.Id != expectedId || (quote.Tee == TeeKind.Tdx && info.Version < 3))
        {
            return new(TcbInfoTeeMismatch, $"TCB info is id '{info.Id}' version {info.Version}; the quote needs id '{expectedId}'{(quote.Tee == TeeKind.Tdx ? " version 3" : string.Empty)}");
        }

        if (!info.Fmspc.Span.SequenceEqual(extension.Fmspc.Span))
        {
            return new(TcbInfoFmspcMismatch, $"TCB info FMSPC is {Hex.Lower(info.Fmspc.Span)}, the PCK certificate's is {Hex.Lower(extension.Fmspc.Span)}");
        }

        return info.PceId.Span.SequenceEqual(extension.PceId.Span)
            ? null
            : new(TcbInfoPceIdMismatch, $"TCB info PCE id is {Hex.Lower(info.PceId.Span)}, the PCK certificate's is {Hex.Lower(extension.PceId.Span)}");
    }

    private AttestationFailure? CheckQeIdentity(IntelCollateral collateral, DcapQuote quote, X509Certificate2 root, DateTimeOffset time, out IsvTcbLevel? qeLevel)
    {
        qeLevel = null;
        if (!TryCheckSigningChain(collateral.QeIdentityIssuerChain, collateral, root, time, "QE identity", out var signer, out var failure))
        {
            return failure;
        }

        if (!_cache.IsSignedBy(collateral.QeIdentitySigned.Body, collateral.QeIdentitySigned.Signature, signer))
        {
            return new(QeIdentitySignatureInvalid, $"QE identity signature does not verify over its {collateral.QeIdentitySigned.Body.Length} signed bytes with the key of '{signer.Subject}'");
        }

        var identity = collateral.QeIdentity;
        if (time < identity.IssueDate)
        {
            return new(QeIdentityNotYetValid, $"QE identity is issued {Iso(identity.IssueDate)}, after the verification time {Iso(time)}");
        }

        if (time > identity.NextUpdate)
        {
            return new(QeIdentityExpired, $"QE identity expired at nextUpdate {Iso(identity.NextUpdate)}; verification time is {Iso(time)}");
        }

        string expectedId = quote.Tee == TeeKind.Tdx ? "TD_QE" : "QE";
        if (identity.Id != expectedId)
        {
            return new(QeIdentityIdMismatch, $"QE identity is for '{identity.Id}', the quote needs '{expectedId}'");
        }

        var report = quote.QeReport;
        if (!report.MrSigner.SequenceEqual(identity.MrSigner.Span))
        {
            return new(QeIdentityMismatch, $"QE MRSIGNER is {Hex.Lower(report.MrSigner)}, expected {Hex.Lower(identity.MrSigner.Span)}");
        }

        if (report.IsvProdId != identity.IsvProdId)
        {
            return new(QeIdentityMismatch, $"QE ISVPRODID is {report.IsvProdId}, expected {identity.IsvProdId}");
        }

        if ((report.MiscSelect & identity.MiscSelectMask) != identity.MiscSelect)
        {
            return new(QeIdentityMismatch, $"QE MISCSELECT {Hex.Lower(report.Raw.Span.Slice(0x10, 4))} under mask {LittleEndianHex(identity.MiscSelectMask)} is not {LittleEndianHex(identity.MiscSelect)} (report byte order)");
        }

        for (int i = 0; i < 16; i++)
        {
            if ((report.Attributes[i] & identity.AttributesMask.Span[i]) != identity.Attributes.Span[i])
            {
                return new(QeIdentityMismatch, $"QE ATTRIBUTES {Hex.Lower(report.Attributes)} under mask {Hex.Lower(identity.AttributesMask.Span)} are not {Hex.Lower(identity.Attributes.Span)}");
            }
        }

        // A QE below every level or at a Revoked level is not a failure here: as in QVL, it makes the combined TCB status
        // Revoked once the platform's level is known (TcbEvaluator), reported as QeTcbRevoked with the claims.
        qeLevel = IsvTcbLevel.Match(identity.TcbLevels, report.IsvSvn);
        return null;
    }

    /// <summary>The TCB signing chain: [signing certificate, root]; the root must be pinned and must not have revoked the signer.</summary>
    private bool TryCheckSigningChain(
        List<X509Certificate2> chain,
        IntelCollateral collateral,
        X509Certificate2 quoteRoot,
        DateTimeOffset time,
        string what,
        [NotNullWhen(true)] out X509Certificate2? signer,
        [NotNullWhen(false)] out AttestationFailure? failure)
    {
        signer = null;
        failure = null;
        if (chain.Count != 2)
        {
            failure = new(TcbSigningChainInvalid, $"{what} issuer chain has {chain.Count} certificates, expected 2 (TCB signing, root)");
            return false;
        }

        var (signing, root) = (chain[0], chain[1]);
        if (!_options.TrustAnchors.Contains(root.RawData))
        {
            failure = new(TcbSigningChainInvalid, $"{what} issuer chain root '{root.Subject}' (SHA-256 {Convert.ToHexString(SHA256.HashData(root.RawData))}) is not a pinned trust anchor");
            return false;
        }

        if (!root.RawDataMemory.Span.SequenceEqual(quoteRoot.RawDataMemory.Span) && !root.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(quoteRoot.PublicKey.EncodedKeyValue.RawData))
        {
            failure = new(TcbSigningChainInvalid, $"{what} issuer chain ends at another root than the PCK chain");
            return false;
        }

        if (!signing.IssuerName.RawData.AsSpan().SequenceEqual(root.SubjectName.RawData) || !_cache.IsSignedBy(SignedData.Parse(signing.RawDataMemory), root))
        {
            failure = new(TcbSigningChainInvalid, $"{what} signing certificate '{signing.Subject}' is not issued and signed by the root");
            return false;
        }

        if (collateral.RootCaCrl.IsRevoked(signing.SerialNumberBytes.Span))
        {
            failure = new(IntermediateCertificateRevoked, $"{what} signing certificate (serial {signing.SerialNumber}) is listed in the root CA CRL");
            return false;
        }

        failure = CheckValidity(signing, time, TcbSigningChainInvalid, $"{what} signing certificate") ?? CheckValidity(root, time, TcbSigningChainInvalid, $"{what} root certificate");
        if (failure is not null)
        {
            return false;
        }

        signer = signing;
        return true;
    }

    private static AttestationFailure? CheckValidity(X509Certificate2 certificate, DateTimeOffset time, AttestationFailureCode code, string what)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return time < notBefore || time > notAfter
            ? new(code, $"{what} '{certificate.Subject}' is valid {Iso(notBefore)}..{Iso(notAfter)}, verification time is {Iso(time)}")
            : null;
    }

    private static string LittleEndianHex(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Hex.Lower(bytes);
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    private static string Iso(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "(none)";

    private static AttestationClaims BuildClaims(DcapQuote quote, PckExtension extension, IntelCollateral collateral, TcbEvaluation evaluation, IsvTcbLevel? qeLevel, IReadOnlyList<X509Certificate2> chain)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["quote_version"] = quote.Version.ToString(CultureInfo.InvariantCulture),
            ["qe_tcb_status"] = TcbEvaluator.QeStatus(qeLevel).ToString(),
            ["qe_advisory_ids"] = string.Join(",", qeLevel?.AdvisoryIds ?? []),
            ["qe_isvsvn"] = quote.QeReport.IsvSvn.ToString(CultureInfo.InvariantCulture),
            ["pck_pcesvn"] = extension.PceSvn.ToString(CultureInfo.InvariantCulture),
            ["pck_sgx_tcb_components"] = string.Join(",", extension.SgxComponents),
            ["pck_cpusvn"] = Hex.Lower(extension.CpuSvn.Span),
        };
        if (evaluation.SgxStatus is { } sgxStatus)
        {
            fields["sgx_tcb_status"] = sgxStatus.ToString();
        }

        ReadOnlyMemory<byte> uniqueId, signerId, reportData;
        int? productId = null, securityVersion = null;
        bool debug;
        if (quote.SgxBody is { } sgx)
        {
            uniqueId = sgx.MrEnclave.ToArray();
            signerId = sgx.MrSigner.ToArray();
            reportData = sgx.ReportData.ToArray();
            productId = sgx.IsvProdId;
            securityVersion = sgx.IsvSvn;
            debug = sgx.Debug;
            fields["attributes"] = Hex.Lower(sgx.Attributes);
            fields["miscselect"] = Hex.Lower(sgx.Raw.Span.Slice(0x10, 4));
            fields["cpusvn"] = Hex.Lower(sgx.CpuSvn);
            fields["configid"] = Hex.Lower(sgx.ConfigId);
            fields["configsvn"] = sgx.ConfigSvn.ToString(CultureInfo.InvariantCulture);
            fields["isvextprodid"] = Hex.Lower(sgx.IsvExtProdId);
            fields["isvfamilyid"] = Hex.Lower(sgx.IsvFamilyId);
        }
        else
        {
            var td = quote.TdBody ?? throw new InvalidOperationException("a quote without an SGX body carries a TD body");
            uniqueId = td.MrTd.ToArray();
            signerId = ReadOnlyMemory<byte>.Empty;
            reportData = td.ReportData.ToArray();
            debug = td.Debug;
            fields["body_type"] = quote.BodyType.ToString();
            fields["tee_tcb_svn"] = Hex.Lower(td.TeeTcbSvn);
            fields["mrseam"] = Hex.Lower(td.MrSeam);
            fields["mrsignerseam"] = Hex.Lower(td.MrSignerSeam);
            fields["seam_attributes"] = Hex.Lower(td.SeamAttributes);
            fields["td_attributes"] = Hex.Lower(td.TdAttributes);
            fields["xfam"] = Hex.Lower(td.Xfam);
            fields["mrconfigid"] = Hex.Lower(td.MrConfigId);
            fields["mrowner"] = Hex.Lower(td.MrOwner);
            fields["mrownerconfig"] = Hex.Lower(td.MrOwnerConfig);
            for (int i = 0; i < 4; i++)
            {
                fields[$"rtmr{i}"] = Hex.Lower(td.Rtmr(i));
            }

            if (td.IsVersion15)
            {
                fields["tee_tcb_svn2"] = Hex.Lower(td.TeeTcbSvn2);
                fields["mrservicetd"] = Hex.Lower(td.MrServiceTd);
            }

            if (evaluation.ModuleStatus is { } moduleStatus)
            {
                fields["tdx_module_tcb_status"] = moduleStatus.ToString();
                fields["tdx_module_advisory_ids"] = string.Join(",", evaluation.ModuleAdvisoryIds);
            }
        }

        var pckNotAfter = chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        var pckNotBefore = chain.Max(c => new DateTimeOffset(c.NotBefore.ToUniversalTime(), TimeSpan.Zero));
        return new AttestationClaims
        {
            Format = EvidenceFormats.IntelDcapQuote,
            Tee = quote.Tee,
            UniqueId = uniqueId,
            SignerId = signerId,
            ProductId = productId,
            SecurityVersion = securityVersion,
            Debug = debug,
            ReportData = reportData,
            TcbStatus = evaluation.Status,
            AdvisoryIds = evaluation.AdvisoryIds,
            TcbDate = evaluation.TcbDate,
            TcbEvaluationDataNumber = collateral.TcbInfo.TcbEvaluationDataNumber,
            CollateralValidFrom = collateral.ValidFrom > pckNotBefore ? collateral.ValidFrom : pckNotBefore,
            CollateralValidUntil = collateral.ValidUntil < pckNotAfter ? collateral.ValidUntil : pckNotAfter,
            Fmspc = Hex.Lower(extension.Fmspc.Span),
            PceId = Hex.Lower(extension.PceId.Span),
            Fields = fields,
        };
    }
}
