using System.Collections.Concurrent;
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
    private readonly NitroVerifierOptions _options;
    private readonly VerifiedLinkCache _links = new();
    private readonly ConcurrentDictionary<string, VerifiedChain> _chains = new(StringComparer.Ordinal);

    /// <summary>Creates a verifier trusting the AWS Nitro Enclaves Root-G1.</summary>
    public NitroVerifier()
        : this(new NitroVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public NitroVerifier(NitroVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.AwsNitroDocument;

    /// <summary>Most verified chains remembered (one per distinct cabundle + leaf); cleared when full.</summary>
    private const int MaxCachedChains = 256;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > _options.MaxDocumentSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the Nitro document is {evidence.Length} bytes; the limit is {_options.MaxDocumentSize}");
        }

        if (!NitroDocument.TryParse(evidence.Span, out var document, out var parseFailure))
        {
            return AttestationResult.Fail(parseFailure);
        }

        var time = _options.CheckValidityAtDocumentTime ? document.Timestamp ?? DateTimeOffset.MaxValue : verificationTime;
        string chainKey = ChainKey(document);
        if (_chains.TryGetValue(chainKey, out var known))
        {
            // Warm path: this exact bundle and leaf chained to a pinned root before; only time-dependent checks and
            // the document signature remain.
            var warmFailure = CheckValidity(known.Validity, time) ?? CheckSignature(document, known.Leaf);
            return warmFailure is null ? AttestationResult.Success(Claims(document, known)) : AttestationResult.Fail(warmFailure);
        }

        var chain = new List<X509Certificate2>();
        try
        {
            var failure = LoadChain(document, chain) ?? CheckChain(chain);
            if (failure is not null)
            {
                return AttestationResult.Fail(failure);
            }

            var verified = VerifiedChain.From(chain);
            failure = CheckValidity(verified.Validity, time) ?? CheckSignature(document, chain[^1]);
            if (failure is not null)
            {
                return AttestationResult.Fail(failure);
            }

            if (_chains.Count >= MaxCachedChains)
            {
                _chains.Clear();
            }

            _chains.TryAdd(chainKey, verified);
            chain.RemoveAt(chain.Count - 1);
            return AttestationResult.Success(Claims(document, verified));
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            // A certificate that loads but whose extensions or key cannot be decoded: reject, never throw.
            return AttestationResult.Fail(AttestationFailureCode.CertificateChainMalformed, $"a certificate in the document cannot be decoded: {FailureText.Of(ex)}");
        }
        finally
        {
            chain.ForEach(c => c.Dispose());
        }
    }

    private static string ChainKey(NitroDocument document)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var der in document.CaBundle.Append(document.Certificate))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, der.Length);
            hash.AppendData(length);
            hash.AppendData(der);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
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
                return new(AttestationFailureCode.CertificateChainMalformed, $"cabundle[{index}] is not an X.509 certificate: {FailureText.Of(ex)}");
            }
        }

        try
        {
            chain.Add(X509CertificateLoader.LoadCertificate(document.Certificate));
        }
        catch (CryptographicException ex)
        {
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the document's certificate is not an X.509 certificate: {FailureText.Of(ex)}");
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
            return new(AttestationFailureCode.EndorsementCertificateMalformed, $"the document's certificate key cannot be read: {FailureText.Of(ex)}");
        }
    }

    private AttestationFailure? CheckChain(List<X509Certificate2> chain)
    {
        var root = chain[0];
        if (chain.Count == 1)
        {
            return new(AttestationFailureCode.RootNotTrusted, $"the document has no cabundle; its certificate '{root.Subject}' does not chain to a pinned AWS Nitro root");
        }

        if (!_options.TrustAnchors.Contains(root.RawData))
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

            if (!_links.IsSignedBy(subject, issuer, NitroCertificateSignature.IsSignedBy))
            {
                return new(AttestationFailureCode.CertificateSignatureInvalid, $"{name}'s ECDSA signature does not verify with the key of '{issuer.Subject}'");
            }
        }

        return null;
    }

    private static AttestationFailure? CheckValidity(IReadOnlyList<CertificateValidity> validity, DateTimeOffset time)
    {
        foreach (var certificate in validity)
        {
            if (time < certificate.NotBefore || time > certificate.NotAfter)
            {
                return new(AttestationFailureCode.CertificateExpired, string.Create(CultureInfo.InvariantCulture, $"{certificate.Name} '{certificate.Subject}' is valid {certificate.NotBefore.UtcDateTime:u}..{certificate.NotAfter.UtcDateTime:u}, not at {time.UtcDateTime:u}"));
            }
        }

        return null;
    }

    private static AttestationFailure? CheckSignature(NitroDocument document, X509Certificate2 leaf)
    {
        using var key = leaf.GetECDsaPublicKey() ?? throw new CryptographicException($"the leaf certificate '{leaf.Subject}' has no ECDSA key");
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

    private static AttestationClaims Claims(NitroDocument document, VerifiedChain chain)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["module_id"] = document.ModuleId,
            ["digest"] = document.Digest,
            ["timestamp_ms"] = document.TimestampMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["certificate_subject"] = chain.Leaf.Subject,
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
            CollateralValidFrom = chain.Validity.Max(c => c.NotBefore),
            CollateralValidUntil = chain.Validity.Min(c => c.NotAfter),
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

    /// <summary>A certificate's validity window and how failures name it.</summary>
    private sealed record CertificateValidity(string Name, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    /// <summary>A cabundle + leaf whose links verified up to a pinned root; validity is still checked on every use.</summary>
    private sealed record VerifiedChain(X509Certificate2 Leaf, IReadOnlyList<CertificateValidity> Validity)
    {
        public static VerifiedChain From(List<X509Certificate2> chain) => new(
            chain[^1],
            chain.Select((c, i) => new CertificateValidity(
                i == chain.Count - 1 ? "the document's certificate" : string.Create(CultureInfo.InvariantCulture, $"cabundle[{i}]"),
                c.Subject,
                new DateTimeOffset(c.NotBefore.ToUniversalTime()),
                new DateTimeOffset(c.NotAfter.ToUniversalTime()))).ToArray());
    }
}
