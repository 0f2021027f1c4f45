using System.Diagnostics.CodeAnalysis;
using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// A parsed Kunpeng virtCCA token: <c>#6.399({44241: bstr realm COSE_Sign1, ?44234: bstr platform COSE_Sign1})</c>.
/// The realm token has the Arm CCA realm claims with an RSA realm key (RAK, a DER SubjectPublicKeyInfo); the platform
/// token, when present, is signed by the device AIK and its challenge (10) is the hash of the RAK. Knows encodings only;
/// nothing here is verified.
/// </summary>
public sealed class VirtCcaToken
{
    private VirtCcaToken(CoseSign1Message realmMessage, CcaRealmClaims realm, CoseSign1Message? platformMessage, VirtCcaPlatformClaims? platform)
    {
        RealmMessage = realmMessage;
        Realm = realm;
        PlatformMessage = platformMessage;
        Platform = platform;
    }

    /// <summary>The realm token envelope (signed by the RAK).</summary>
    public CoseSign1Message RealmMessage { get; }

    /// <summary>The realm claims.</summary>
    public CcaRealmClaims Realm { get; }

    /// <summary>The platform token envelope (signed by the AIK), or null when the token holds only the realm token.</summary>
    public CoseSign1Message? PlatformMessage { get; }

    /// <summary>The platform claims, or null when there is no platform token.</summary>
    public VirtCcaPlatformClaims? Platform { get; }

    /// <summary>Parses a token (binary CBOR). Returns false and a failure naming the rule when it is not well formed.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> data, [NotNullWhen(true)] out VirtCcaToken? token, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        token = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the virtCCA token is empty");
            return false;
        }

        try
        {
            var reader = new CborReader(data, CborConformanceMode.Strict);
            if (reader.PeekState() != CborReaderState.Tag || (ulong)reader.ReadTag() != CcaToken.CollectionTag)
            {
                failure = Malformed($"the token is not CBOR tag {CcaToken.CollectionTag} (CMW collection)");
                return false;
            }

            int count = reader.ReadStartMap() ?? throw new FormatException("the collection must be a definite-length map");
            if (count is < 1 or > 2)
            {
                failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"the collection holds {count} entries, expected the realm token (44241) and optionally the platform token (44234)"));
                return false;
            }

            byte[]? platformBytes = null, realmBytes = null;
            for (int i = 0; i < count; i++)
            {
                switch (reader.ReadInt32())
                {
                    case CcaToken.PlatformKey when platformBytes is null: platformBytes = reader.ReadByteString(); break;
                    case CcaToken.RealmKey when realmBytes is null: realmBytes = reader.ReadByteString(); break;
                    case var other: failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"unexpected or repeated collection key {other}")); return false;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0 || realmBytes is null)
            {
                failure = Malformed("the collection must hold the realm token (44241) and nothing after the map");
                return false;
            }

            var realmMessage = DecodeSign1(realmBytes, "realm");
            var realm = VirtCcaRealmClaims.Read(VirtCcaRealmClaims.Claims(realmMessage.Content!.Value));
            CoseSign1Message? platformMessage = null;
            VirtCcaPlatformClaims? platform = null;
            if (platformBytes is not null)
            {
                platformMessage = DecodeSign1(platformBytes, "platform");
                platform = VirtCcaPlatformClaims.Read(VirtCcaRealmClaims.Claims(platformMessage.Content!.Value));
            }

            token = new VirtCcaToken(realmMessage, realm, platformMessage, platform);
            return true;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or CryptographicException or FormatException or OverflowException or KeyNotFoundException)
        {
            // KeyNotFoundException: a COSE protected header without an algorithm.
            failure = Malformed(ex.Message);
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

        _ = CcaToken.AlgorithmOf(message);
        return message;
    }

    private static AttestationFailure Malformed(string message) => new(AttestationFailureCode.EvidenceMalformed, $"virtCCA token: {message}");
}
