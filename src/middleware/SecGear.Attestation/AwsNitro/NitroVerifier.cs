using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.AwsNitro;

/// <summary>
/// Verifies AWS Nitro Enclaves attestation documents: COSE_Sign1 and payload rules, <c>cabundle[0]</c> pinned (never
/// trusting the bundle's own root), every link of root → intermediates → leaf, validity at the verification time (or
/// the document's time), then the ES384 signature with the leaf key. Needs no collateral.
/// </summary>
public sealed class NitroVerifier : IEvidenceVerifier
{
    private readonly NitroVerifierOptions options;
    private readonly VerifiedLinkCache links = new();

    /// <summary>Creates a verifier trusting the AWS Nitro Enclaves Root-G1.</summary>
    public NitroVerifier()
        : this(new NitroVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public NitroVerifier(NitroVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.AwsNitroDocument;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > options.MaxDocumentSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the Nitro document is {evidence.Length} bytes; the limit is {options.MaxDocumentSize}");
        }

        var document = NitroDocument.TryParse(evidence.Span, out var parseFailure);
        if (document is null)
        {
            return AttestationResult.Fail(parseFailure!);
        }

        var chain = new List<X509Certificate2>();
        try
        {
            var failure = LoadChain(document, chain);
            if (failure is null)
            {
                var time = options.CheckValidityAtDocumentTime ? document.Timestamp ?? DateTimeOffset.MaxValue : verificationTime;
                failure = CheckChain(chain, time) ?? CheckSignature(document, chain[^1]);
            }

            return failure is null ? AttestationResult.Success(Claims(document, chain)) : AttestationResult.Fail(failure);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            // A certificate that loads but whose extensions or key cannot be decoded: reject, never throw.
            return AttestationResult.Fail(AttestationFailureCode.CertificateChainMalformed, $"a certificate in the document cannot be decoded: {ex.Message}");
        }
        finally
        {
            chain.ForEach(c => c.Dispose());
        }
    }

    private static AttestationFailure? LoadChain(NitroDocument document, List<X509Certificate2> chain)
    {
        foreach (var (der, index) in document.CaBundle.Select((der, index) => (der, index)))
        {
            try
            {
                chain.Add(X509CertificateLoader.LoadCertificate(der));
            }
            catch (CryptographicException ex)
            {
                return new(AttestationFailureCode.CertificateChainMalformed, $"cabundle[{index}] is not an X.509 certificate: {ex.Message}");
            }
        }

        try
        {
            chain.Add(X509CertificateLoader.LoadCertificate(document.Certificate));
        }
        catch (CryptographicException ex)
        {
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the document's certificate is not an X.509 certificate: {ex.Message}");
        }

        try
        {
            using var leafKey = chain[^1].GetECDsaPublicKey();
            return leafKey is { KeySize: 384 }
                ? null
                : new(AttestationFailureCode.EndorsementCertificateMalformed, "the document's certificate key is not ECDSA P-384");
        }
        catch (CryptographicException ex)
        {
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the document's certificate key cannot be read: {ex.Message}");
        }
    }

    private AttestationFailure? CheckChain(List<X509Certificate2> chain, DateTimeOffset time)
    {
        var root = chain[0];
        if (chain.Count == 1)
        {
            return new(AttestationFailureCode.RootNotTrusted, $"the document has no cabundle; its certificate '{root.Subject}' does not chain to a pinned AWS Nitro root");
        }

        if (!options.TrustAnchors.Contains(root.RawData))
        {
            return new(AttestationFailureCode.RootNotTrusted, $"cabundle[0] '{root.Subject}' has SHA-256 fingerprint {Convert.ToHexString(SHA256.HashData(root.RawData))}, which is not pinned");
        }

        for (int i = 1; i < chain.Count; i++)
        {
            var (subject, issuer) = (chain[i], chain[i - 1]);
            string name = i == chain.Count - 1 ? "the document's certificate" : $"cabundle[{i}]";
            if (!subject.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                return new(AttestationFailureCode.CertificateIssuerMismatch, $"{name} is issued by '{subject.Issuer}', but the previous certificate is '{issuer.Subject}'");
            }

            if (issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"'{issuer.Subject}' issues {name} but is not a CA");
            }

            if (!links.IsSignedBy(subject, issuer, NitroCertificateSignature.IsSignedBy))
            {
                return new(AttestationFailureCode.CertificateSignatureInvalid, $"{name}'s ECDSA signature does not verify with the key of '{issuer.Subject}'");
            }
        }

        for (int i = 0; i < chain.Count; i++)
        {
            var certificate = chain[i];
            if (time < certificate.NotBefore.ToUniversalTime() || time > certificate.NotAfter.ToUniversalTime())
            {
                string name = i == chain.Count - 1 ? "the document's certificate" : $"cabundle[{i}]";
                return new(AttestationFailureCode.CertificateExpired, string.Create(CultureInfo.InvariantCulture, $"{name} '{certificate.Subject}' is valid {certificate.NotBefore.ToUniversalTime():u}..{certificate.NotAfter.ToUniversalTime():u}, not at {time.UtcDateTime:u}"));
            }
        }

        return null;
    }

    private static AttestationFailure? CheckSignature(NitroDocument document, X509Certificate2 leaf)
    {
        using var key = leaf.GetECDsaPublicKey()!;
        bool valid;
        try
        {
            valid = document.Message.VerifyEmbedded(key);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        return valid ? null : new(AttestationFailureCode.EvidenceSignatureInvalid, "the COSE_Sign1 ES384 signature does not verify with the document's certificate key");
    }

    private static AttestationClaims Claims(NitroDocument document, List<X509Certificate2> chain)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["module_id"] = document.ModuleId,
            ["digest"] = document.Digest,
            ["timestamp_ms"] = document.TimestampMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["certificate_subject"] = chain[^1].Subject,
        };
        if (document.Timestamp is { } timestamp)
        {
            fields["timestamp"] = timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        }

        foreach (var (index, value) in document.Pcrs)
        {
            fields[string.Create(CultureInfo.InvariantCulture, $"pcr{index}")] = Convert.ToHexStringLower(value);
        }

        AddOptional(fields, "nonce", document.Nonce);
        AddOptional(fields, "user_data", document.UserData);
        AddOptional(fields, "public_key", document.PublicKey);
        byte[]? pcr8 = document.Pcrs.GetValueOrDefault(8);
        return new AttestationClaims
        {
            Format = EvidenceFormats.AwsNitroDocument,
            Tee = TeeKind.Nitro,
            UniqueId = document.Pcrs.GetValueOrDefault(0) ?? [],
            SignerId = pcr8 is not null && pcr8.AsSpan().ContainsAnyExcept((byte)0) ? pcr8 : ReadOnlyMemory<byte>.Empty,
            Debug = document.IsDebug,
            ReportData = document.UserData ?? [],
            TcbStatus = TcbStatus.NotApplicable,
            CollateralValidFrom = chain.Max(c => new DateTimeOffset(c.NotBefore.ToUniversalTime())),
            CollateralValidUntil = chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime())),
            Fields = fields,
        };
    }

    private static void AddOptional(Dictionary<string, string> fields, string name, byte[]? value)
    {
        if (value is not null)
        {
            fields[name] = Convert.ToHexStringLower(value);
        }
    }
}
