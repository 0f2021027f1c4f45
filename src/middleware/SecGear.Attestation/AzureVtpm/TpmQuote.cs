using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// A TPM 2.0 quote as Azure evidence carries it: the marshalled TPMS_ATTEST (big-endian), the raw RSASSA-PKCS1-v1_5
/// SHA-256 signature over it, and optionally the selected PCR values. Parsing checks the structure only.
/// </summary>
public sealed class TpmQuote
{
    /// <summary>TPM_GENERATED_VALUE, the magic every TPM-signed structure starts with.</summary>
    public const uint GeneratedMagic = 0xFF544347;

    /// <summary>TPM_ST_ATTEST_QUOTE.</summary>
    public const ushort AttestQuote = 0x8018;

    /// <summary>TPM_ALG_SHA256.</summary>
    public const ushort AlgSha256 = 0x000B;

    private const int MaxMessage = 4096;
    private const int MaxPcrs = 64;

    private TpmQuote(byte[] message, byte[] signature, IReadOnlyList<byte[]> pcrValues)
    {
        Message = message;
        Signature = signature;
        PcrValues = pcrValues;
    }

    /// <summary>The marshalled TPMS_ATTEST (what the AK signed).</summary>
    public byte[] Message { get; }

    /// <summary>The raw signature.</summary>
    public byte[] Signature { get; }

    /// <summary>PCR values supplied with the quote (ascending PCR order), possibly none.</summary>
    public IReadOnlyList<byte[]> PcrValues { get; }

    /// <summary>qualifiedSigner: the AK's name (algorithm ‖ digest).</summary>
    public byte[] QualifiedSigner { get; private init; } = [];

    /// <summary>extraData: the verifier's nonce.</summary>
    public byte[] ExtraData { get; private init; } = [];

    /// <summary>Clock, reset and restart counts of the TPM at quote time.</summary>
    public (ulong Clock, uint ResetCount, uint RestartCount, bool Safe) ClockInfo { get; private init; }

    /// <summary>The TPM firmware version.</summary>
    public ulong FirmwareVersion { get; private init; }

    /// <summary>The PCR selection: (hash algorithm, ascending PCR indices) per bank.</summary>
    public IReadOnlyList<(ushort Hash, IReadOnlyList<int> Pcrs)> Selection { get; private init; } = [];

    /// <summary>pcrDigest: the hash of the selected PCR values.</summary>
    public byte[] PcrDigest { get; private init; } = [];

    /// <summary>Parses a quote. Returns false and a failure naming the rule when the TPMS_ATTEST is malformed.</summary>
    public static bool TryParse(byte[] message, byte[] signature, IReadOnlyList<byte[]> pcrValues, [NotNullWhen(true)] out TpmQuote? quote, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        quote = null;
        failure = null;
        if (message.Length > MaxMessage || pcrValues.Count > MaxPcrs || signature.Length is < 256 or > 1024)
        {
            failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"message {message.Length} bytes (limit {MaxMessage}), signature {signature.Length} bytes (expected 256..1024), {pcrValues.Count} PCR values (limit {MaxPcrs})"));
            return false;
        }

        var reader = new Reader(message);
        try
        {
            uint magic = reader.U32();
            ushort type = reader.U16();
            if (magic != GeneratedMagic || type != AttestQuote)
            {
                failure = Malformed(string.Create(CultureInfo.InvariantCulture, $"magic {magic:X8} type {type:X4}, expected {GeneratedMagic:X8} (TPM_GENERATED) and {AttestQuote:X4} (quote)"));
                return false;
            }

            var signer = reader.Sized();
            var extra = reader.Sized();
            var clock = (reader.U64(), reader.U32(), reader.U32(), reader.U8() != 0);
            ulong firmware = reader.U64();
            uint banks = reader.U32();
            if (banks > 16)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{banks} PCR banks selected"));
            }

            var selection = new List<(ushort, IReadOnlyList<int>)>();
            for (int b = 0; b < banks; b++)
            {
                ushort hash = reader.U16();
                int size = reader.U8();
                var bitmap = reader.Bytes(size);
                var pcrs = new List<int>();
                for (int i = 0; i < size * 8; i++)
                {
                    if ((bitmap[i / 8] & (1 << (i % 8))) != 0)
                    {
                        pcrs.Add(i);
                    }
                }

                selection.Add((hash, pcrs));
            }

            var digest = reader.Sized();
            if (!reader.AtEnd)
            {
                throw new FormatException("bytes follow the quote info");
            }

            quote = new TpmQuote(message, signature, pcrValues)
            {
                QualifiedSigner = signer,
                ExtraData = extra,
                ClockInfo = clock,
                FirmwareVersion = firmware,
                Selection = selection,
                PcrDigest = digest,
            };
            return true;
        }
        catch (FormatException ex)
        {
            failure = Malformed(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Reads trustee's bincode form: <c>u64 LE length ‖ signature ‖ u64 LE length ‖ message ‖ u64 LE count ‖ count × 32-byte PCR</c>.
    /// Returns null when the lengths are inconsistent.
    /// </summary>
    public static (byte[] Signature, byte[] Message, List<byte[]> Pcrs)? ReadBincode(byte[] data)
    {
        int offset = 0;
        byte[]? Take(int length)
        {
            if (length < 0 || length > data.Length - offset)
            {
                return null;
            }

            var value = data.AsSpan(offset, length).ToArray();
            offset += length;
            return value;
        }

        int Length(ulong max)
        {
            if (data.Length - offset < 8)
            {
                return -1;
            }

            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(offset));
            offset += 8;
            return value > max ? -1 : (int)value;
        }

        var signature = Take(Length(MaxMessage));
        var message = signature is null ? null : Take(Length(MaxMessage));
        int count = message is null ? -1 : Length(MaxPcrs);
        if (message is null || count < 0)
        {
            return null;
        }

        var pcrs = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            pcrs.Add(Take(32) ?? []);
        }

        return offset == data.Length && pcrs.All(p => p.Length == 32) ? (signature!, message, pcrs) : null;
    }

    private static AttestationFailure Malformed(string message) => new(AttestationFailureCode.EvidenceMalformed, $"TPM quote: {message}");

    /// <summary>Big-endian cursor that throws <see cref="FormatException"/> on truncation.</summary>
    private sealed class Reader(byte[] data)
    {
        private int _offset;

        public bool AtEnd => _offset == data.Length;

        public byte U8() => Bytes(1)[0];

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));

        public byte[] Sized() => Bytes(U16());

        public byte[] Bytes(int length)
        {
            if (length > data.Length - _offset)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"truncated: {length} bytes needed at offset {_offset}, {data.Length - _offset} left"));
            }

            var value = data.AsSpan(_offset, length).ToArray();
            _offset += length;
            return value;
        }
    }
}
