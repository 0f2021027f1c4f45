using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace SecGear.Attestation.ArmCca;

/// <summary>
/// Verifies Arm CCA attestation tokens: structure, platform token signature with a provisioned CPAK (selected by
/// implementation and instance id), realm token signature with the RAK it carries, then the binding (platform
/// challenge = hash of the RAK). Needs no collateral: CPAKs are configured in <see cref="CcaVerifierOptions"/>.
/// </summary>
public sealed class CcaVerifier : IEvidenceVerifier
{
    private readonly CcaVerifierOptions _options;
    private readonly ImportedKeyCache _keyCache = new();

    /// <summary>Creates a verifier with no provisioned CPAK (every token fails as untrusted until keys are configured).</summary>
    public CcaVerifier()
        : this(new CcaVerifierOptions())
    {
    }

    /// <summary>Creates a verifier with the given options.</summary>
    public CcaVerifier(CcaVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public string Format => EvidenceFormats.ArmCcaToken;

    /// <inheritdoc />
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.Length > _options.MaxTokenSize)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceTooLarge, $"the CCA token is {evidence.Length} bytes; the limit is {_options.MaxTokenSize}");
        }

        if (!CcaToken.TryParse(evidence, out var token, out var parseFailure))
        {
            return AttestationResult.Fail(parseFailure);
        }

        var failure = CheckPlatform(token) ?? CheckRealm(token) ?? CheckBinding(token);
        return failure is null ? AttestationResult.Success(Claims(token)) : AttestationResult.Fail(failure);
    }

    private AttestationFailure? CheckPlatform(CcaToken token)
    {
        var platform = token.Platform;
        var provisioned = _options.PlatformKeys.Find(platform.ImplementationId, platform.InstanceId);
        if (provisioned is null)
        {
            return new(AttestationFailureCode.PlatformKeyNotTrusted, $"no CPAK is provisioned for implementation id {Convert.ToHexStringLower(platform.ImplementationId)}, instance id {Convert.ToHexStringLower(platform.InstanceId)}");
        }

        string id = "cpak:" + Convert.ToHexString(provisioned.Key.Q.X ?? []) + Convert.ToHexString(provisioned.Key.Q.Y ?? []) + provisioned.Key.Curve.Oid.Value;
        try
        {
            return _keyCache.Verify(id, () => ECDsa.Create(provisioned.Key), key => Verify(token.PlatformMessage, key, "platform token", "CPAK", AttestationFailureCode.EvidenceSignatureInvalid));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return new(AttestationFailureCode.AttestationKeyMalformed, $"the provisioned CPAK is not a valid EC public key: {FailureText.Of(ex)}");
        }
    }

    private AttestationFailure? CheckRealm(CcaToken token)
    {
        try
        {
            return _keyCache.Verify("rak:" + Convert.ToHexString(token.Realm.PublicKey), () => RealmKey(token.Realm.PublicKey), key => Verify(token.RealmMessage, key, "realm token", "RAK", AttestationFailureCode.RealmSignatureInvalid));
        }
        catch (Exception ex) when (ex is CryptographicException or CborContentException or InvalidOperationException or FormatException or ArgumentException)
        {
            return new(AttestationFailureCode.AttestationKeyMalformed, $"the RAK (claim 44237) is not a valid EC public key: {FailureText.Of(ex)}");
        }
    }

    private static AttestationFailure? CheckBinding(CcaToken token)
    {
        HashAlgorithmName? algorithm = HashByName(token.Realm.PublicKeyHashAlgorithm);
        if (algorithm is not { } name)
        {
            return new(AttestationFailureCode.UnsupportedSignatureAlgorithm, $"the RAK hash algorithm (claim 44240) is '{token.Realm.PublicKeyHashAlgorithm}', expected sha-256, sha-384 or sha-512");
        }

        var expected = CryptographicOperations.HashData(name, token.Realm.PublicKey);
        return CryptographicOperations.FixedTimeEquals(expected, token.Platform.Challenge)
            ? null
            : new(AttestationFailureCode.PlatformRealmBindingMismatch, $"the platform challenge {Convert.ToHexStringLower(token.Platform.Challenge)} is not the {token.Realm.PublicKeyHashAlgorithm} of the realm's RAK ({Convert.ToHexStringLower(expected)})");
    }

    private static AttestationFailure? Verify(CoseSign1Message message, ECDsa key, string name, string keyName, AttestationFailureCode invalid)
    {
        int algorithm = CcaToken.AlgorithmOf(message);
        int expected = key.KeySize switch { 256 => -7, 384 => -35, _ => -36 };
        if (algorithm != expected)
        {
            return new(AttestationFailureCode.UnsupportedSignatureAlgorithm, string.Create(CultureInfo.InvariantCulture, $"the {name} COSE algorithm is {algorithm}, but the {keyName} is P-{key.KeySize} (expected algorithm {expected})"));
        }

        try
        {
            return message.VerifyEmbedded(key) ? null : new(invalid, $"the {name} signature does not verify with the {keyName}");
        }
        catch (CryptographicException ex)
        {
            return new(invalid, $"the {name} signature cannot be verified with the {keyName}: {FailureText.Of(ex)}");
        }
    }

    /// <summary>The RAK: a raw uncompressed point (0x04 ‖ X ‖ Y), or a COSE_Key map (kty 2, crv 1/2/3, x, y).</summary>
    private static ECDsa RealmKey(byte[] encoded)
    {
        byte[] x, y;
        int crv;
        if (encoded[0] == 0x04 && encoded.Length is 65 or 97 or 133)
        {
            int size = (encoded.Length - 1) / 2;
            x = encoded[1..(1 + size)];
            y = encoded[(1 + size)..];
            crv = size switch { 32 => 1, 48 => 2, _ => 3 };
        }
        else
        {
            var key = CoseKey(encoded);
            (crv, x, y) = key;
        }

        var curve = crv switch
        {
            1 => ECCurve.NamedCurves.nistP256,
            2 => ECCurve.NamedCurves.nistP384,
            3 => ECCurve.NamedCurves.nistP521,
            _ => throw new CryptographicException(string.Create(CultureInfo.InvariantCulture, $"COSE curve {crv} is not P-256, P-384 or P-521")),
        };
        return ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
    }

    private static (int Crv, byte[] X, byte[] Y) CoseKey(byte[] encoded)
    {
        var reader = new CborReader(encoded, CborConformanceMode.Strict);
        int count = reader.ReadStartMap() ?? throw new FormatException("COSE_Key must be a definite-length map");
        int? kty = null, crv = null;
        byte[]? x = null, y = null;
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case 1: kty = reader.ReadInt32(); break;
                case -1: crv = reader.ReadInt32(); break;
                case -2: x = reader.ReadByteString(); break;
                case -3: y = reader.ReadByteString(); break;
                default: reader.SkipValue(); break;
            }
        }

        reader.ReadEndMap();
        return kty == 2 && crv is { } c && x is not null && y is not null && reader.BytesRemaining == 0
            ? (c, x, y)
            : throw new FormatException("COSE_Key must be EC2 (kty 2) with crv, x and y");
    }

    private static HashAlgorithmName? HashByName(string name) => name switch
    {
        "sha-256" => HashAlgorithmName.SHA256,
        "sha-384" => HashAlgorithmName.SHA384,
        "sha-512" => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static AttestationClaims Claims(CcaToken token)
    {
        var platform = token.Platform;
        var realm = token.Realm;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["platform_profile"] = platform.Profile,
            ["platform_challenge"] = Convert.ToHexStringLower(platform.Challenge),
            ["implementation_id"] = Convert.ToHexStringLower(platform.ImplementationId),
            ["instance_id"] = Convert.ToHexStringLower(platform.InstanceId),
            ["platform_config"] = Convert.ToHexStringLower(platform.Config),
            ["lifecycle"] = string.Create(CultureInfo.InvariantCulture, $"0x{platform.Lifecycle:x4}"),
            ["lifecycle_secured"] = platform.IsSecured ? "true" : "false",
            ["platform_hash_algorithm"] = platform.HashAlgorithm,
            ["sw_component_count"] = platform.SoftwareComponents.Count.ToString(CultureInfo.InvariantCulture),
            ["realm_personalization_value"] = Convert.ToHexStringLower(realm.PersonalizationValue),
            ["realm_hash_algorithm"] = realm.HashAlgorithm,
            ["rak"] = Convert.ToHexStringLower(realm.PublicKey),
            ["rak_hash_algorithm"] = realm.PublicKeyHashAlgorithm,
            ["rim"] = Convert.ToHexStringLower(realm.InitialMeasurement),
        };
        if (platform.VerificationService is { } service)
        {
            fields["verification_service"] = service;
        }

        if (realm.Profile is { } profile)
        {
            fields["realm_profile"] = profile;
        }

        for (int i = 0; i < realm.ExtensibleMeasurements.Count; i++)
        {
            fields[string.Create(CultureInfo.InvariantCulture, $"rem{i}")] = Convert.ToHexStringLower(realm.ExtensibleMeasurements[i]);
        }

        for (int i = 0; i < platform.SoftwareComponents.Count; i++)
        {
            var component = platform.SoftwareComponents[i];
            string prefix = string.Create(CultureInfo.InvariantCulture, $"sw_component{i}_");
            fields[prefix + "measurement"] = Convert.ToHexStringLower(component.Measurement);
            fields[prefix + "signer_id"] = Convert.ToHexStringLower(component.SignerId);
            AddIfSet(fields, prefix + "type", component.Type);
            AddIfSet(fields, prefix + "version", component.Version);
            AddIfSet(fields, prefix + "hash_algorithm", component.HashAlgorithm);
        }

        return new AttestationClaims
        {
            Format = EvidenceFormats.ArmCcaToken,
            Tee = TeeKind.Cca,
            UniqueId = realm.InitialMeasurement,
            SignerId = ReadOnlyMemory<byte>.Empty,
            Debug = !platform.IsSecured,
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
