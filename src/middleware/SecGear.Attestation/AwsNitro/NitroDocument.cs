using System.Diagnostics.CodeAnalysis;
using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace SecGear.Attestation.AwsNitro;

/// <summary>
/// A parsed AWS Nitro Enclaves attestation document: the COSE_Sign1 envelope (tagged or untagged) and its CBOR
/// payload. Knows encodings and field rules only; nothing here is verified.
/// </summary>
public sealed class NitroDocument
{
    /// <summary>Largest optional field (public_key, user_data, nonce) AWS allows: 1024 bytes.</summary>
    public const int MaxOptionalFieldLength = 1024;

    /// <summary>Largest certificate accepted from a document, in bytes.</summary>
    public const int MaxCertificateLength = 8 * 1024;

    /// <summary>Most certificates accepted in a cabundle.</summary>
    public const int MaxCaBundleLength = 8;

    /// <summary>COSE algorithm id of ES384.</summary>
    public const int Es384 = -35;

    private NitroDocument(CoseSign1Message message, string moduleId, string digest, ulong timestamp, SortedDictionary<int, byte[]> pcrs, byte[] certificate, List<byte[]> caBundle, byte[]? publicKey, byte[]? userData, byte[]? nonce)
    {
        Message = message;
        ModuleId = moduleId;
        Digest = digest;
        TimestampMilliseconds = timestamp;
        Pcrs = pcrs;
        Certificate = certificate;
        CaBundle = caBundle;
        PublicKey = publicKey;
        UserData = userData;
        Nonce = nonce;
    }

    /// <summary>The COSE_Sign1 envelope.</summary>
    public CoseSign1Message Message { get; }

    /// <summary>module_id: the enclave's id, e.g. <c>i-04fd...-enc01845e97d0b3eb4e</c>.</summary>
    public string ModuleId { get; }

    /// <summary>digest: always <c>SHA384</c>.</summary>
    public string Digest { get; }

    /// <summary>timestamp: milliseconds since the Unix epoch.</summary>
    public ulong TimestampMilliseconds { get; }

    /// <summary>timestamp as a time; null when it is beyond the range of <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset? Timestamp =>
        TimestampMilliseconds <= 253402300799999UL ? DateTimeOffset.FromUnixTimeMilliseconds((long)TimestampMilliseconds) : null;

    /// <summary>pcrs: index (0..31) to value (32, 48 or 64 bytes).</summary>
    public IReadOnlyDictionary<int, byte[]> Pcrs { get; }

    /// <summary>certificate: the enclave's leaf certificate (DER).</summary>
    public byte[] Certificate { get; }

    /// <summary>cabundle: root first, then intermediates down to the leaf's issuer (DER). Empty when null or absent.</summary>
    public IReadOnlyList<byte[]> CaBundle { get; }

    /// <summary>public_key, or null when absent or CBOR null.</summary>
    public byte[]? PublicKey { get; }

    /// <summary>user_data, or null when absent or CBOR null.</summary>
    public byte[]? UserData { get; }

    /// <summary>nonce, or null when absent or CBOR null.</summary>
    public byte[]? Nonce { get; }

    /// <summary>True when PCR0, PCR1 and PCR2 are all zero: the enclave was started in debug mode.</summary>
    public bool IsDebug =>
        new[] { 0, 1, 2 }.All(i => Pcrs.TryGetValue(i, out var pcr) && !pcr.AsSpan().ContainsAnyExcept((byte)0));

    /// <summary>Parses a document. Returns false and a failure naming the rule when the bytes are not a well-formed document.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NitroDocument? document, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        document = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the Nitro attestation document is empty");
            return false;
        }

        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(WithEmptyUnprotectedHeader(data));
        }
        catch (Exception ex) when (ex is CryptographicException or CborContentException or InvalidOperationException or OverflowException or FormatException)
        {
            failure = Malformed($"not a COSE_Sign1 message: {FailureText.Of(ex)}");
            return false;
        }

        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var algorithm))
        {
            failure = Malformed("the COSE protected header has no algorithm");
            return false;
        }

        int alg;
        try
        {
            alg = algorithm.GetValueAsInt32();
        }
        catch (Exception ex) when (ex is InvalidOperationException or CborContentException or OverflowException)
        {
            failure = Malformed("the COSE algorithm is not an integer");
            return false;
        }

        if (alg != Es384)
        {
            failure = new(AttestationFailureCode.UnsupportedSignatureAlgorithm, string.Create(CultureInfo.InvariantCulture, $"the COSE algorithm is {alg}, expected {Es384} (ES384)"));
            return false;
        }

        if (message.Content is not { } payload)
        {
            failure = Malformed("the COSE_Sign1 payload is detached; a Nitro document embeds it");
            return false;
        }

        try
        {
            return TryParsePayload(message, payload, out document, out failure);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            failure = Malformed($"the payload is not valid CBOR: {FailureText.Of(ex)}");
            return false;
        }
    }

    /// <summary>
    /// Some attesters write the unprotected header as CBOR null instead of an empty map. It is not covered by the
    /// signature, so it is replaced by an empty map to let the COSE decoder read the message; the checks that matter
    /// (signature, chain) then decide. Anything else is returned unchanged.
    /// </summary>
    private static ReadOnlySpan<byte> WithEmptyUnprotectedHeader(ReadOnlySpan<byte> data)
    {
        var reader = new CborReader(data.ToArray(), CborConformanceMode.Lax);
        bool tagged = reader.PeekState() == CborReaderState.Tag && reader.ReadTag() == (CborTag)18;
        if (reader.PeekState() != CborReaderState.StartArray || reader.ReadStartArray() != 4)
        {
            return data;
        }

        var protectedHeader = reader.ReadByteString();
        if (reader.PeekState() != CborReaderState.Null)
        {
            return data;
        }

        reader.ReadNull();
        var payload = reader.ReadByteString();
        var signature = reader.ReadByteString();
        reader.ReadEndArray();
        if (reader.BytesRemaining != 0)
        {
            return data;
        }

        var writer = new CborWriter(CborConformanceMode.Lax);
        if (tagged)
        {
            writer.WriteTag((CborTag)18);
        }

        writer.WriteStartArray(4);
        writer.WriteByteString(protectedHeader);
        writer.WriteStartMap(0);
        writer.WriteEndMap();
        writer.WriteByteString(payload);
        writer.WriteByteString(signature);
        writer.WriteEndArray();
        return writer.Encode();
    }

    private static bool TryParsePayload(CoseSign1Message message, ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out NitroDocument? document, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        document = null;
        failure = null;
        var reader = new CborReader(payload, CborConformanceMode.Strict);
        int? count = reader.ReadStartMap();
        if (count is null or > 16)
        {
            failure = Malformed("the payload map must be definite-length with at most 16 entries");
            return false;
        }

        string? moduleId = null, digest = null;
        ulong? timestamp = null;
        SortedDictionary<int, byte[]>? pcrs = null;
        byte[]? certificate = null, publicKey = null, userData = null, nonce = null;
        List<byte[]>? caBundle = null;
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadTextString();
            switch (key)
            {
                case "module_id": moduleId = reader.ReadTextString(); break;
                case "digest": digest = reader.ReadTextString(); break;
                case "timestamp": timestamp = reader.ReadUInt64(); break;
                case "pcrs": pcrs = ReadPcrs(reader, out failure); break;
                case "certificate": certificate = ReadBytes(reader, key, 1, MaxCertificateLength, out failure); break;
                case "cabundle": caBundle = ReadBundle(reader, out failure); break;
                case "public_key": publicKey = ReadOptional(reader, key, out failure); break;
                case "user_data": userData = ReadOptional(reader, key, out failure); break;
                case "nonce": nonce = ReadOptional(reader, key, out failure); break;
                default: reader.SkipValue(); break;
            }

            if (failure is not null)
            {
                return false;
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0)
        {
            failure = Malformed($"{reader.BytesRemaining} bytes follow the payload map");
            return false;
        }

        if (string.IsNullOrEmpty(moduleId))
        {
            failure = Malformed("module_id is missing or empty");
            return false;
        }

        if (digest is not "SHA384")
        {
            failure = Malformed($"digest is '{digest ?? "(missing)"}', expected 'SHA384'");
            return false;
        }

        if (timestamp is not { } time || time == 0)
        {
            failure = Malformed("timestamp is missing or zero");
            return false;
        }

        if (pcrs is null)
        {
            failure = Malformed("pcrs is missing");
            return false;
        }

        if (certificate is null)
        {
            failure = Malformed("certificate is missing");
            return false;
        }

        document = new NitroDocument(message, moduleId, digest, time, pcrs, certificate, caBundle ?? [], publicKey, userData, nonce);
        return true;
    }

    private static SortedDictionary<int, byte[]>? ReadPcrs(CborReader reader, out AttestationFailure? failure)
    {
        failure = null;
        int? count = reader.ReadStartMap();
        if (count is null or < 1 or > 32)
        {
            failure = Malformed("pcrs must be a definite-length map of 1..32 entries");
            return null;
        }

        var pcrs = new SortedDictionary<int, byte[]>();
        for (int i = 0; i < count; i++)
        {
            ulong index = reader.ReadUInt64();
            if (index > 31)
            {
                failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"PCR index {index} is out of range 0..31"));
                return null;
            }

            var value = reader.ReadByteString();
            if (value.Length is not (32 or 48 or 64))
            {
                failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"PCR{index} is {value.Length} bytes, expected 32, 48 or 64"));
                return null;
            }

            pcrs[(int)index] = value;
        }

        reader.ReadEndMap();
        return pcrs;
    }

    private static List<byte[]>? ReadBundle(CborReader reader, out AttestationFailure? failure)
    {
        failure = null;
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
            return [];
        }

        int? count = reader.ReadStartArray();
        if (count is null or > MaxCaBundleLength)
        {
            failure = Malformed($"cabundle must be a definite-length array of at most {MaxCaBundleLength} certificates");
            return null;
        }

        var bundle = new List<byte[]>(count.Value);
        for (int i = 0; i < count; i++)
        {
            var certificate = ReadBytes(reader, "cabundle entry", 1, MaxCertificateLength, out failure);
            if (certificate is null)
            {
                return null;
            }

            bundle.Add(certificate);
        }

        reader.ReadEndArray();
        return bundle;
    }

    private static byte[]? ReadOptional(CborReader reader, string name, out AttestationFailure? failure)
    {
        failure = null;
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
            return null;
        }

        return ReadBytes(reader, name, 0, MaxOptionalFieldLength, out failure);
    }

    private static byte[]? ReadBytes(CborReader reader, string name, int minLength, int maxLength, out AttestationFailure? failure)
    {
        failure = null;
        var value = reader.ReadByteString();
        if (value.Length < minLength || value.Length > maxLength)
        {
            failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"{name} is {value.Length} bytes, expected {minLength}..{maxLength}"));
            return null;
        }

        return value;
    }

    private static AttestationFailure Malformed(string message) => new(AttestationFailureCode.EvidenceMalformed, $"Nitro document: {message}");
}
