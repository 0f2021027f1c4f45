using System.Diagnostics.CodeAnalysis;
using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace SecGear.Attestation.ArmCca;

/// <summary>
/// A parsed Arm CCA attestation token: <c>#6.399({44234: bstr platform COSE_Sign1, 44241: bstr realm COSE_Sign1})</c>.
/// Knows encodings and claim types only; nothing here is verified.
/// </summary>
public sealed class CcaToken
{
    /// <summary>CBOR tag of the CMW collection holding the two tokens.</summary>
    public const ulong CollectionTag = 399;

    /// <summary>Collection key of the platform token.</summary>
    public const int PlatformKey = 44234;

    /// <summary>Collection key of the realm delegated token.</summary>
    public const int RealmKey = 44241;

    private const int MaxComponents = 32;

    private CcaToken(CoseSign1Message platformMessage, CcaPlatformClaims platform, CoseSign1Message realmMessage, CcaRealmClaims realm)
    {
        PlatformMessage = platformMessage;
        Platform = platform;
        RealmMessage = realmMessage;
        Realm = realm;
    }

    /// <summary>The platform token envelope.</summary>
    public CoseSign1Message PlatformMessage { get; }

    /// <summary>The platform claims.</summary>
    public CcaPlatformClaims Platform { get; }

    /// <summary>The realm token envelope.</summary>
    public CoseSign1Message RealmMessage { get; }

    /// <summary>The realm claims.</summary>
    public CcaRealmClaims Realm { get; }

    /// <summary>The COSE algorithm id in a token's protected header (e.g. -35 ES384, -7 ES256).</summary>
    /// <exception cref="FormatException">The protected header has no <c>alg</c> (label 1), or it is not an integer.</exception>
    public static int AlgorithmOf(CoseSign1Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var value))
        {
            throw new FormatException("the COSE protected header has no 'alg' (label 1)");
        }

        try
        {
            return value.GetValueAsInt32();
        }
        catch (Exception ex) when (ex is InvalidOperationException or CborContentException or OverflowException)
        {
            // A text algorithm name or an out-of-range number: COSE allows them, CCA tokens never use them.
            throw new FormatException("the COSE protected header's 'alg' (label 1) is not an integer algorithm id");
        }
    }

    /// <summary>Parses a token. Returns false and a failure naming the rule when the bytes are not a well-formed token.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> data, [NotNullWhen(true)] out CcaToken? token, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        token = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the CCA token is empty");
            return false;
        }

        try
        {
            var reader = new CborReader(data, CborConformanceMode.Strict);
            if (reader.PeekState() != CborReaderState.Tag || (ulong)reader.ReadTag() != CollectionTag)
            {
                failure = Malformed($"the token is not CBOR tag {CollectionTag} (CMW collection)");
                return false;
            }

            if (reader.ReadStartMap() != 2)
            {
                failure = Malformed("the collection must be a definite-length map of two tokens");
                return false;
            }

            byte[]? platformBytes = null, realmBytes = null;
            for (int i = 0; i < 2; i++)
            {
                switch (reader.ReadInt32())
                {
                    case PlatformKey: platformBytes = reader.ReadByteString(); break;
                    case RealmKey: realmBytes = reader.ReadByteString(); break;
                    case var other: failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"unexpected collection key {other}")); return false;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0 || platformBytes is null || realmBytes is null)
            {
                failure = Malformed("the collection must hold exactly the platform (44234) and realm (44241) tokens and nothing after");
                return false;
            }

            var platformMessage = DecodeSign1(platformBytes, "platform");
            var realmMessage = DecodeSign1(realmBytes, "realm");
            var platform = ReadPlatform(new CborReader(platformMessage.Content!.Value, CborConformanceMode.Strict));
            var realm = ReadRealm(new CborReader(realmMessage.Content!.Value, CborConformanceMode.Strict));
            token = new CcaToken(platformMessage, platform, realmMessage, realm);
            return true;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or CryptographicException or FormatException or OverflowException)
        {
            failure = Malformed(FailureText.Of(ex));
            return false;
        }
    }

    private static CoseSign1Message DecodeSign1(byte[] bytes, string name)
    {
        var message = CoseMessage.DecodeSign1(bytes);
        if (message.Content is null)
        {
            throw new FormatException($"the {name} token has a detached payload");
        }

        try
        {
            _ = AlgorithmOf(message);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"the {name} token: {FailureText.Of(ex)}");
        }

        return message;
    }

    private static CcaPlatformClaims ReadPlatform(CborReader reader)
    {
        string? profile = null, hashAlgorithm = null, service = null;
        byte[]? challenge = null, implementation = null, instance = null, config = null;
        int? lifecycle = null;
        List<CcaSoftwareComponent>? components = null;
        int count = reader.ReadStartMap() ?? throw new FormatException("platform claims must be a definite-length map");
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case 265: profile = reader.ReadTextString(); break;
                case 10: challenge = Bytes(reader, 32, 64, "platform challenge"); break;
                case 2396: implementation = Bytes(reader, 32, 64, "implementation id"); break;
                case 256: instance = Bytes(reader, 33, 33, "instance id"); break;
                case 2401: config = Bytes(reader, 0, 1024, "platform config"); break;
                case 2395: lifecycle = reader.ReadInt32(); break;
                case 2399: components = ReadComponents(reader); break;
                case 2400: service = reader.ReadTextString(); break;
                case 2402: hashAlgorithm = reader.ReadTextString(); break;
                default: reader.SkipValue(); break;
            }
        }

        reader.ReadEndMap();
        End(reader, "platform claims");
        return new CcaPlatformClaims
        {
            Profile = profile ?? throw Missing("platform profile (265)"),
            Challenge = challenge ?? throw Missing("platform challenge (10)"),
            ImplementationId = implementation ?? throw Missing("implementation id (2396)"),
            InstanceId = instance ?? throw Missing("instance id (256)"),
            Config = config ?? throw Missing("platform config (2401)"),
            Lifecycle = lifecycle ?? throw Missing("security lifecycle (2395)"),
            SoftwareComponents = components ?? throw Missing("software components (2399)"),
            VerificationService = service,
            HashAlgorithm = hashAlgorithm ?? throw Missing("platform hash algorithm (2402)"),
        };
    }

    private static List<CcaSoftwareComponent> ReadComponents(CborReader reader)
    {
        int count = reader.ReadStartArray() ?? throw new FormatException("software components must be a definite-length array");
        if (count is < 1 or > MaxComponents)
        {
            throw new FormatException($"software components has {count} entries, expected 1..{MaxComponents}");
        }

        var components = new List<CcaSoftwareComponent>(count);
        for (int i = 0; i < count; i++)
        {
            string? type = null, version = null, hash = null;
            byte[]? measurement = null, signer = null;
            int fields = reader.ReadStartMap() ?? throw new FormatException("a software component must be a definite-length map");
            for (int f = 0; f < fields; f++)
            {
                switch (reader.ReadInt32())
                {
                    case 1: type = reader.ReadTextString(); break;
                    case 2: measurement = Bytes(reader, 32, 64, "component measurement"); break;
                    case 4: version = reader.ReadTextString(); break;
                    case 5: signer = Bytes(reader, 32, 64, "component signer id"); break;
                    case 6: hash = reader.ReadTextString(); break;
                    default: reader.SkipValue(); break;
                }
            }

            reader.ReadEndMap();
            components.Add(new CcaSoftwareComponent(type, measurement ?? throw Missing("component measurement (2)"), version, signer ?? throw Missing("component signer id (5)"), hash));
        }

        reader.ReadEndArray();
        return components;
    }

    private static CcaRealmClaims ReadRealm(CborReader reader) => ReadRealm(reader, (r, _) => r.ReadTextString(), 1024);

    /// <summary>
    /// The realm claims map, shared with virtCCA: <paramref name="readName"/> reads the text claims (hash algorithms,
    /// profile), which virtCCA encodes as byte strings; <paramref name="maxRak"/> bounds the RAK (virtCCA's is an
    /// RSA-4096 SubjectPublicKeyInfo).
    /// </summary>
    internal static CcaRealmClaims ReadRealm(CborReader reader, Func<CborReader, string, string> readName, int maxRak)
    {
        string? hashAlgorithm = null, rakHashAlgorithm = null, profile = null;
        byte[]? challenge = null, personalization = null, rak = null, rim = null;
        List<byte[]>? rems = null;
        int count = reader.ReadStartMap() ?? throw new FormatException("realm claims must be a definite-length map");
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case 10: challenge = Bytes(reader, 64, 64, "realm challenge"); break;
                case 44235: personalization = Bytes(reader, 64, 64, "personalization value"); break;
                case 44236: hashAlgorithm = readName(reader, "realm hash algorithm"); break;
                case 44237: rak = Bytes(reader, 1, maxRak, "RAK"); break;
                case 44238: rim = Bytes(reader, 32, 64, "RIM"); break;
                case 44239: rems = ReadRems(reader); break;
                case 44240: rakHashAlgorithm = readName(reader, "RAK hash algorithm"); break;
                case 265: profile = readName(reader, "profile"); break;
                default: reader.SkipValue(); break;
            }
        }

        reader.ReadEndMap();
        End(reader, "realm claims");
        return new CcaRealmClaims
        {
            Challenge = challenge ?? throw Missing("realm challenge (10)"),
            PersonalizationValue = personalization ?? throw Missing("personalization value (44235)"),
            HashAlgorithm = hashAlgorithm ?? throw Missing("realm hash algorithm (44236)"),
            PublicKey = rak ?? throw Missing("RAK (44237)"),
            InitialMeasurement = rim ?? throw Missing("RIM (44238)"),
            ExtensibleMeasurements = rems ?? throw Missing("REMs (44239)"),
            PublicKeyHashAlgorithm = rakHashAlgorithm ?? throw Missing("RAK hash algorithm (44240)"),
            Profile = profile,
        };
    }

    /// <summary>REMs (44239): exactly four 32..64-byte measurements. Shared with the virtCCA realm claims reader.</summary>
    internal static List<byte[]> ReadRems(CborReader reader)
    {
        if (reader.ReadStartArray() != 4)
        {
            throw new FormatException("REMs (44239) must be an array of exactly 4 measurements");
        }

        var rems = new List<byte[]>(4);
        for (int i = 0; i < 4; i++)
        {
            rems.Add(Bytes(reader, 32, 64, "REM"));
        }

        reader.ReadEndArray();
        return rems;
    }

    /// <summary>A byte string of <paramref name="min"/>..<paramref name="max"/> bytes, or a FormatException naming it.</summary>
    internal static byte[] Bytes(CborReader reader, int min, int max, string name)
    {
        var value = reader.ReadByteString();
        return value.Length >= min && value.Length <= max
            ? value
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} is {value.Length} bytes, expected {min}..{max}"));
    }

    private static void End(CborReader reader, string name)
    {
        if (reader.BytesRemaining != 0)
        {
            throw new FormatException($"bytes follow the {name}");
        }
    }

    internal static FormatException Missing(string claim) => new($"the mandatory claim {claim} is missing");

    private static AttestationFailure Malformed(string message) => new(AttestationFailureCode.EvidenceMalformed, $"CCA token: {message}");
}
