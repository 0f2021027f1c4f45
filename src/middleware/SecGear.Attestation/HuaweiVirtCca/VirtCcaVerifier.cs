using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// Verifies Kunpeng virtCCA tokens: structure, the realm token signature with the realm key (RAK) it carries, the
/// device AIK certificate chain to a pinned Huawei root (<see cref="VirtCcaCollateral"/>), then the platform token:
/// signed by the AIK, its challenge the hash of the RAK. A token without a platform token is refused
/// (<see cref="AttestationFailureCode.RealmTokenNotEndorsed"/>, claims attached) unless
/// <see cref="VirtCcaVerifierOptions.AcceptUnendorsedRealmTokens"/> is set. The order is in docs/attestation-sev-nitro-cca.md.
/// </summary>
public sealed class VirtCcaVerifier : IEvidenceVerifier
{
    private readonly VirtCcaVerifierOptions _options;

    /// <summary>Creates a verifier trusting the Huawei Equipment CA and refusing unendorsed realm tokens.</summary>
    public VirtCcaVerifier()
        : this(new VirtCcaVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public VirtCcaVerifier(VirtCcaVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.HuaweiVirtCcaToken;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > _options.MaxTokenSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the virtCCA token is {evidence.Length} bytes; the limit is {_options.MaxTokenSize}");
        }

        if (!VirtCcaToken.TryParse(evidence, out var token, out var parseFailure))
        {
            return AttestationResult.Fail(parseFailure);
        }

        var failure = CheckRealm(token);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        if (collateral is null)
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMissing, $"a virtCCA token needs the device AIK certificate and its Huawei chain as {nameof(VirtCcaCollateral)}");
        }

        if (collateral is not VirtCcaCollateral huawei)
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMalformed, $"collateral is {collateral.GetType().Name}, expected {nameof(VirtCcaCollateral)}");
        }

        try
        {
            failure = HuaweiChain.Check(huawei, _options.Roots, verificationTime);
            if (failure is not null)
            {
                return AttestationResult.Fail(failure);
            }

            if (token.Platform is null)
            {
                var unendorsed = Claims(token, huawei, endorsed: false);
                return _options.AcceptUnendorsedRealmTokens
                    ? AttestationResult.Success(unendorsed)
                    : AttestationResult.Fail(
                        new(AttestationFailureCode.RealmTokenNotEndorsed, "the token holds only the realm token: no platform token (44234) signed by the AIK binds the realm key to the device, so the realm signature proves only that someone holding that key signed it (accept only with AcceptUnendorsedRealmTokens)"),
                        unendorsed);
            }

            failure = CheckPlatform(token, huawei) ?? CheckBinding(token);
            return failure is null ? AttestationResult.Success(Claims(token, huawei, endorsed: true)) : AttestationResult.Fail(failure);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            return AttestationResult.Fail(AttestationFailureCode.CertificateChainMalformed, $"a certificate of the AIK chain cannot be decoded: {ex.Message}");
        }
    }

    private static AttestationFailure? CheckRealm(VirtCcaToken token)
    {
        AsymmetricAlgorithm key;
        try
        {
            key = ImportKey(token.Realm.PublicKey);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException or ArgumentException)
        {
            return new(AttestationFailureCode.AttestationKeyMalformed, $"the RAK (claim 44237) is not a DER SubjectPublicKeyInfo of an RSA or EC key: {ex.Message}");
        }

        using (key)
        {
            return VerifySign1(token.RealmMessage, key, "realm token", "RAK", AttestationFailureCode.RealmSignatureInvalid);
        }
    }

    private static AttestationFailure? CheckPlatform(VirtCcaToken token, VirtCcaCollateral huawei)
    {
        using var rsa = huawei.Aik.GetRSAPublicKey();
        using var ec = rsa is null ? huawei.Aik.GetECDsaPublicKey() : null;
        AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)rsa ?? ec;
        return key is null
            ? new(AttestationFailureCode.EndorsementCertificateMalformed, $"the AIK certificate key is {huawei.Aik.PublicKey.Oid.FriendlyName ?? huawei.Aik.PublicKey.Oid.Value}, expected RSA or EC")
            : VerifySign1(token.PlatformMessage!, key, "platform token", "AIK", AttestationFailureCode.EvidenceSignatureInvalid);
    }

    private static AttestationFailure? CheckBinding(VirtCcaToken token)
    {
        HashAlgorithmName? algorithm = token.Realm.PublicKeyHashAlgorithm switch
        {
            "sha-256" => HashAlgorithmName.SHA256,
            "sha-384" => HashAlgorithmName.SHA384,
            "sha-512" => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (algorithm is not { } name)
        {
            return new(AttestationFailureCode.UnsupportedSignatureAlgorithm, $"the RAK hash algorithm (claim 44240) is '{token.Realm.PublicKeyHashAlgorithm}', expected sha-256, sha-384 or sha-512");
        }

        var expected = CryptographicOperations.HashData(name, token.Realm.PublicKey);
        var challenge = token.Platform!.Challenge;
        return CryptographicOperations.FixedTimeEquals(expected, challenge)
            ? null
            : new(AttestationFailureCode.PlatformRealmBindingMismatch, $"the platform challenge {Convert.ToHexStringLower(challenge)} is not the {token.Realm.PublicKeyHashAlgorithm} of the realm's RAK ({Convert.ToHexStringLower(expected)})");
    }

    /// <summary>Verifies a COSE_Sign1 whose algorithm must fit the key: PS256/384/512 for RSA (at least 2048 bits), ES256/384/512 for EC.</summary>
    private static AttestationFailure? VerifySign1(CoseSign1Message message, AsymmetricAlgorithm key, string name, string keyName, AttestationFailureCode invalid)
    {
        int algorithm = CcaToken.AlgorithmOf(message);
        bool fits = key switch
        {
            RSA rsa => algorithm is -37 or -38 or -39 && rsa.KeySize >= 2048,
            ECDsa ecdsa => algorithm == ecdsa.KeySize switch { 256 => -7, 384 => -35, _ => -36 },
            _ => false,
        };
        if (!fits)
        {
            return new(AttestationFailureCode.UnsupportedSignatureAlgorithm, string.Create(CultureInfo.InvariantCulture, $"the {name} COSE algorithm is {algorithm}, which does not fit the {keyName} ({key.GetType().BaseType?.Name} {key.KeySize} bits; expected PS256/384/512 for RSA of at least 2048 bits, ES256/384/512 for EC)"));
        }

        try
        {
            return message.VerifyEmbedded(key) ? null : new(invalid, $"the {name} signature does not verify with the {keyName}");
        }
        catch (CryptographicException ex)
        {
            return new(invalid, $"the {name} signature cannot be verified with the {keyName}: {ex.Message}");
        }
    }

    private static AsymmetricAlgorithm ImportKey(byte[] subjectPublicKeyInfo)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            return read == subjectPublicKeyInfo.Length ? rsa : throw new CryptographicException("bytes follow the SubjectPublicKeyInfo");
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            return read == subjectPublicKeyInfo.Length ? ec : throw new CryptographicException("bytes follow the SubjectPublicKeyInfo");
        }
        catch
        {
            ec.Dispose();
            throw;
        }
    }

    private static AttestationClaims Claims(VirtCcaToken token, VirtCcaCollateral huawei, bool endorsed)
    {
        var realm = token.Realm;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["hardware_endorsed"] = endorsed ? "true" : "false",
            ["realm_personalization_value"] = Convert.ToHexStringLower(realm.PersonalizationValue),
            ["realm_hash_algorithm"] = realm.HashAlgorithm,
            ["rak"] = Convert.ToHexStringLower(realm.PublicKey),
            ["rak_hash_algorithm"] = realm.PublicKeyHashAlgorithm,
            ["rim"] = Convert.ToHexStringLower(realm.InitialMeasurement),
            ["aik_subject"] = huawei.Aik.Subject,
            ["aik_fingerprint"] = Convert.ToHexStringLower(SHA256.HashData(huawei.Aik.RawData)),
        };
        for (int i = 0; i < realm.ExtensibleMeasurements.Count; i++)
        {
            fields[string.Create(CultureInfo.InvariantCulture, $"rem{i}")] = Convert.ToHexStringLower(realm.ExtensibleMeasurements[i]);
        }

        if (token.Platform is { } platform)
        {
            fields["platform_challenge"] = Convert.ToHexStringLower(platform.Challenge);
            AddIfSet(fields, "platform_profile", platform.Profile);
            AddIfSet(fields, "platform_hash_algorithm", platform.HashAlgorithm);
            AddIfSet(fields, "implementation_id", platform.ImplementationId is { } impl ? Convert.ToHexStringLower(impl) : null);
            AddIfSet(fields, "instance_id", platform.InstanceId is { } inst ? Convert.ToHexStringLower(inst) : null);
            AddIfSet(fields, "lifecycle", platform.Lifecycle is { } l ? string.Create(CultureInfo.InvariantCulture, $"0x{l:x4}") : null);
        }

        return new AttestationClaims
        {
            Format = EvidenceFormats.HuaweiVirtCcaToken,
            Tee = TeeKind.VirtCca,
            UniqueId = realm.InitialMeasurement,
            SignerId = ReadOnlyMemory<byte>.Empty,

            // Debug is known only from a platform lifecycle claim (secured = 0x3000..0x30FF); without one it is not claimed.
            Debug = token.Platform?.Lifecycle is { } lifecycle && lifecycle is < 0x3000 or > 0x30FF,
            ReportData = realm.Challenge,
            TcbStatus = TcbStatus.NotApplicable,
            Fields = fields,
        };
    }

    private static void AddIfSet(Dictionary<string, string> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields[name] = value;
        }
    }
}
