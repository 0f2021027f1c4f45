using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// An SPDM 1.1 GET_MEASUREMENTS request immediately followed by its signed MEASUREMENTS response, as NVIDIA GPUs and
/// NVSwitches return it (docs/attestation-nvidia-gpu.md). Knows bytes and offsets only; parsed by the lengths inside
/// it, never by the size of the container.
/// </summary>
public sealed class SpdmMeasurementReport
{
    /// <summary>SPDM version byte accepted (1.1).</summary>
    public const byte SpdmVersion11 = 0x11;

    /// <summary>Size of the GET_MEASUREMENTS request with a nonce and slot id.</summary>
    public const int RequestSize = 37;

    /// <summary>Size of the requester (verifier) nonce.</summary>
    public const int NonceSize = 32;

    /// <summary>Size of the ECDSA P-384 signature, raw r‖s.</summary>
    public const int SignatureSize = 96;

    private const byte GetMeasurementsCode = 0xE0;
    private const byte MeasurementsCode = 0x60;
    private const int ResponseHeaderSize = 8;
    private const int BlockHeaderSize = 4;
    private const int DmtfHeaderSize = 3;

    private readonly byte[] _report;

    private SpdmMeasurementReport(byte[] report, int signedLength, IReadOnlyList<SpdmMeasurementBlock> blocks, NvidiaOpaqueData opaque, byte param2)
    {
        _report = report;
        SignedLength = signedLength;
        Blocks = blocks;
        Opaque = opaque;
        SlotId = param2 & 0x0F;
    }

    /// <summary>The requester nonce at request offset 4: the verifier's challenge.</summary>
    public ReadOnlyMemory<byte> RequesterNonce => _report.AsMemory(4, NonceSize);

    /// <summary>The responder's own random nonce (not the challenge).</summary>
    public ReadOnlyMemory<byte> ResponderNonce => _report.AsMemory(RequestSize + ResponseHeaderSize + MeasurementRecordLength, NonceSize);

    /// <summary>The certificate slot the response was signed with.</summary>
    public int SlotId { get; }

    /// <summary>The measurement blocks in the order reported.</summary>
    public IReadOnlyList<SpdmMeasurementBlock> Blocks { get; }

    /// <summary>The NVIDIA opaque data fields.</summary>
    public NvidiaOpaqueData Opaque { get; }

    /// <summary>Number of bytes covered by the signature: the request and the response up to the signature.</summary>
    public int SignedLength { get; }

    /// <summary>The signed bytes.</summary>
    public ReadOnlySpan<byte> SignedBytes => _report.AsSpan(0, SignedLength);

    /// <summary>The raw r‖s signature (big-endian, 48 + 48).</summary>
    public ReadOnlySpan<byte> Signature => _report.AsSpan(SignedLength, SignatureSize);

    /// <summary>The whole report.</summary>
    public ReadOnlyMemory<byte> Bytes => _report;

    private int MeasurementRecordLength => (int)(BinaryPrimitives.ReadUInt32LittleEndian(_report.AsSpan(RequestSize + 4)) >> 8);

    /// <summary>
    /// Parses a binary report. Returns false and a failure naming the field when it is not a well-formed SPDM 1.1
    /// GET_MEASUREMENTS exchange with DMTF digest blocks, or when bytes follow the signature.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SpdmMeasurementReport? report, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        report = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the SPDM report is empty");
            return false;
        }

        if (data.Length < RequestSize + ResponseHeaderSize)
        {
            return Malformed(out failure, $"the SPDM report is {data.Length} bytes, shorter than the 37-byte request and the 8-byte response header");
        }

        if (data[0] != SpdmVersion11 || data[RequestSize] != SpdmVersion11)
        {
            failure = new(AttestationFailureCode.UnsupportedEvidenceVersion, $"SPDM versions are 0x{data[0]:x2} (request) and 0x{data[RequestSize]:x2} (response), expected 0x11");
            return false;
        }

        if (data[1] != GetMeasurementsCode || data[RequestSize + 1] != MeasurementsCode)
        {
            return Malformed(out failure, $"SPDM codes are 0x{data[1]:x2} / 0x{data[RequestSize + 1]:x2}, expected 0xe0 (GET_MEASUREMENTS) / 0x60 (MEASUREMENTS)");
        }

        if ((data[2] & 1) == 0)
        {
            return Malformed(out failure, "the GET_MEASUREMENTS request did not ask for a signature (param1 bit 0 is clear)");
        }

        if (data[3] != 0xFF)
        {
            return Malformed(out failure, $"the request's measurement operation is 0x{data[3]:x2}, expected 0xff (all blocks)");
        }

        var response = data[RequestSize..];
        int blockCount = response[4];
        int recordLength = response[5] | (response[6] << 8) | (response[7] << 16);
        long fixedTail = (long)ResponseHeaderSize + recordLength + NonceSize + 2;
        if (response.Length < fixedTail)
        {
            return Malformed(out failure, $"the measurement record is {recordLength} bytes but only {response.Length - ResponseHeaderSize} bytes follow the response header");
        }

        if (!TryParseBlocks(response.Slice(ResponseHeaderSize, recordLength), blockCount, out var blocks, out failure))
        {
            return false;
        }

        int opaqueOffset = (int)fixedTail;
        int opaqueLength = BinaryPrimitives.ReadUInt16LittleEndian(response[(opaqueOffset - 2)..]);
        long signatureOffset = (long)opaqueOffset + opaqueLength;
        if (response.Length < signatureOffset + SignatureSize)
        {
            return Malformed(out failure, $"the response is {response.Length} bytes; its {opaqueLength} bytes of opaque data and the 96-byte signature need {signatureOffset + SignatureSize}");
        }

        if (response.Length > signatureOffset + SignatureSize)
        {
            // Nothing covers bytes after the signature: accepting them would let anyone append claims-looking data.
            failure = new(AttestationFailureCode.TrailingBytes, $"{response.Length - signatureOffset - SignatureSize} bytes follow the signature; nothing signs them");
            return false;
        }

        if (!NvidiaOpaqueData.TryParse(response.Slice(opaqueOffset, opaqueLength), out var opaque, out failure))
        {
            return false;
        }

        report = new SpdmMeasurementReport(data.ToArray(), RequestSize + (int)signatureOffset, blocks, opaque, response[3]);
        return true;
    }

    private static bool TryParseBlocks(ReadOnlySpan<byte> record, int expectedCount, [NotNullWhen(true)] out List<SpdmMeasurementBlock>? parsed, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        parsed = null;
        failure = null;
        var blocks = new List<SpdmMeasurementBlock>(expectedCount);
        var seen = new HashSet<int>();
        while (!record.IsEmpty)
        {
            if (record.Length < BlockHeaderSize + DmtfHeaderSize)
            {
                return Malformed(out failure, $"measurement block {blocks.Count + 1} is truncated: {record.Length} bytes left in the record");
            }

            int index = record[0];
            byte specification = record[1];
            int size = BinaryPrimitives.ReadUInt16LittleEndian(record[2..]);
            if (specification != 0x01)
            {
                return Malformed(out failure, $"measurement block {index} has specification 0x{specification:x2}, expected 0x01 (DMTF)");
            }

            if (size < DmtfHeaderSize || size > record.Length - BlockHeaderSize)
            {
                return Malformed(out failure, $"measurement block {index} declares {size} bytes; {record.Length - BlockHeaderSize} remain in the record");
            }

            var dmtf = record.Slice(BlockHeaderSize, size);
            int valueSize = BinaryPrimitives.ReadUInt16LittleEndian(dmtf[1..]);
            if (valueSize != size - DmtfHeaderSize)
            {
                return Malformed(out failure, $"measurement block {index} holds a {valueSize}-byte DMTF value in {size - DmtfHeaderSize} bytes");
            }

            if (!seen.Add(index))
            {
                return Malformed(out failure, $"measurement block {index} appears twice");
            }

            blocks.Add(new SpdmMeasurementBlock(index, dmtf[0], dmtf[DmtfHeaderSize..].ToArray()));
            record = record[(BlockHeaderSize + size)..];
        }

        if (blocks.Count != expectedCount)
        {
            return Malformed(out failure, string.Create(CultureInfo.InvariantCulture, $"the response announces {expectedCount} measurement blocks, the record holds {blocks.Count}"));
        }

        parsed = blocks;
        return true;
    }

    private static bool Malformed(out AttestationFailure failure, string message)
    {
        failure = new(AttestationFailureCode.EvidenceMalformed, message);
        return false;
    }
}
