using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace SecGear.Attestation.Intel;

/// <summary>Parses DCAP quotes by their declared lengths (never by file size). Knows bytes and offsets, nothing else.</summary>
public static class DcapQuoteParser
{
    /// <summary>Header size of every quote version.</summary>
    public const int HeaderSize = 48;

    /// <summary>TEE type value of TDX quotes.</summary>
    public const uint TeeTypeTdx = 0x81;

    /// <summary>Attestation key type ECDSA-256-with-P-256.</summary>
    public const int EcdsaP256KeyType = 2;

    /// <summary>Certification data type 5: concatenated PEM PCK chain.</summary>
    public const int PckCertChainType = 5;

    /// <summary>Certification data type 6: QE report certification data (v4/v5 wrapper).</summary>
    public const int QeReportCertificationDataType = 6;

    /// <summary>True when the bytes start like a DCAP quote header (version 3..5, key type 2).</summary>
    public static bool LooksLikeQuote(ReadOnlySpan<byte> data) =>
        data.Length >= HeaderSize
        && BinaryPrimitives.ReadUInt16LittleEndian(data) is 3 or 4 or 5
        && BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) == EcdsaP256KeyType;

    /// <summary>Parses a quote; returns false with a failure naming the structural check when it is malformed.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> data, int maxSize, [NotNullWhen(true)] out DcapQuote? quote, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        quote = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new AttestationFailure(AttestationFailureCode.EvidenceEmpty, "the quote is zero bytes long");
            return false;
        }

        if (data.Length > maxSize)
        {
            failure = new AttestationFailure(AttestationFailureCode.EvidenceTooLarge, $"the quote is {data.Length} bytes; the limit is {maxSize}");
            return false;
        }

        var reader = new QuoteReader(data);
        if (data.Length < HeaderSize)
        {
            failure = Malformed($"the quote is {data.Length} bytes, shorter than the {HeaderSize}-byte header");
            return false;
        }

        int version = reader.U16();
        int keyType = reader.U16();
        uint teeType = reader.U32();
        int qeSvn = reader.U16();
        int pceSvn = reader.U16();
        var vendor = reader.Bytes(16);
        var userData = reader.Bytes(20);
        if (version is not (3 or 4 or 5))
        {
            failure = new AttestationFailure(AttestationFailureCode.UnsupportedQuoteVersion, $"quote version is {version}, expected 3, 4 or 5");
            return false;
        }

        if (keyType != EcdsaP256KeyType)
        {
            failure = new AttestationFailure(AttestationFailureCode.UnsupportedAttestationKeyType, $"attestation key type is {keyType}, expected 2 (ECDSA-256-with-P-256)");
            return false;
        }

        if (!vendor.Span.SequenceEqual(DcapQuote.IntelQeVendorId))
        {
            failure = new AttestationFailure(AttestationFailureCode.UnknownQeVendor, $"QE vendor id is {Convert.ToHexString(vendor.Span)}, expected Intel's {Convert.ToHexString(DcapQuote.IntelQeVendorId)}");
            return false;
        }

        if (!TryReadBody(ref reader, version, teeType, out var bodyType, out var body, out failure))
        {
            return false;
        }

        var signedRegion = data[..reader.Position];
        if (!reader.TryU32(out uint signatureDataLength))
        {
            failure = Malformed("the quote ends before the signature data length");
            return false;
        }

        if (signatureDataLength > reader.Remaining)
        {
            failure = Malformed($"signature data length is {signatureDataLength}, but only {reader.Remaining} bytes follow");
            return false;
        }

        int trailing = reader.Remaining - (int)signatureDataLength;
        var signatureData = new QuoteReader(reader.Bytes((int)signatureDataLength));
        if (!TryReadSignatureData(ref signatureData, version, out var parts, out failure))
        {
            return false;
        }

        quote = new DcapQuote
        {
            Version = version,
            AttestationKeyType = keyType,
            TeeType = teeType,
            QeSvn = version == 3 ? qeSvn : 0,
            PceSvn = version == 3 ? pceSvn : 0,
            QeVendorId = vendor,
            UserData = userData,
            BodyType = bodyType,
            SgxBody = bodyType == QuoteBodyType.SgxEnclaveReport ? SgxReportBody.Create(body) : null,
            TdBody = bodyType == QuoteBodyType.SgxEnclaveReport ? null : TdReportBody.Create(body),
            SignedRegion = signedRegion,
            Signature = parts.Signature,
            AttestationKey = parts.AttestationKey,
            QeReport = SgxReportBody.Create(parts.QeReport),
            QeReportSignature = parts.QeReportSignature,
            QeAuthData = parts.QeAuthData,
            CertificationDataType = parts.CertType,
            CertificationData = parts.CertData,
            TrailingByteCount = trailing,
        };
        return true;
    }

    private static bool TryReadBody(ref QuoteReader reader, int version, uint teeType, out QuoteBodyType bodyType, out ReadOnlyMemory<byte> body, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        failure = null;
        body = default;
        bodyType = QuoteBodyType.SgxEnclaveReport;
        int size;
        if (version == 5)
        {
            if (!reader.TryU16(out ushort type) || !reader.TryU32(out uint declared))
            {
                failure = Malformed("the quote ends inside the v5 body descriptor");
                return false;
            }

            if (type is < 1 or > 3)
            {
                failure = new AttestationFailure(AttestationFailureCode.UnsupportedTeeType, $"v5 body type is {type}, expected 1 (SGX), 2 (TD 1.0) or 3 (TD 1.5)");
                return false;
            }

            bodyType = (QuoteBodyType)type;
            size = BodySize(bodyType);
            if (declared != size)
            {
                failure = Malformed($"v5 body size is {declared}, expected {size} for body type {type}");
                return false;
            }
        }
        else
        {
            bodyType = teeType == TeeTypeTdx ? QuoteBodyType.TdReport10 : QuoteBodyType.SgxEnclaveReport;
            size = BodySize(bodyType);
        }

        bool tdxBody = bodyType != QuoteBodyType.SgxEnclaveReport;
        if (teeType is not (0 or TeeTypeTdx) || (teeType == TeeTypeTdx) != tdxBody || (version == 3 && teeType != 0))
        {
            failure = new AttestationFailure(AttestationFailureCode.UnsupportedTeeType, $"TEE type 0x{teeType:X} does not fit quote version {version} with body {bodyType}");
            return false;
        }

        if (reader.Remaining < size)
        {
            failure = Malformed($"the quote ends inside the {size}-byte report body");
            return false;
        }

        body = reader.Bytes(size);
        return true;
    }

    private static int BodySize(QuoteBodyType type) => type switch
    {
        QuoteBodyType.SgxEnclaveReport => SgxReportBody.Size,
        QuoteBodyType.TdReport10 => TdReportBody.Size10,
        _ => TdReportBody.Size15,
    };

    private static bool TryReadSignatureData(ref QuoteReader reader, int version, out SignatureParts parts, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        parts = default;
        failure = null;
        if (reader.Remaining < 128)
        {
            failure = Malformed("signature data is shorter than the quote signature and attestation key");
            return false;
        }

        parts.Signature = reader.Bytes(64);
        parts.AttestationKey = reader.Bytes(64);
        if (version == 3)
        {
            return TryReadQeCertificationData(ref reader, ref parts, out failure);
        }

        if (!TryReadCertificationHeader(ref reader, out int outerType, out var outer, out failure))
        {
            return false;
        }

        if (outerType != QeReportCertificationDataType)
        {
            failure = new AttestationFailure(AttestationFailureCode.UnsupportedCertificationDataType, $"outer certification data type is {outerType}, expected 6 (QE report certification data)");
            return false;
        }

        if (reader.Remaining != 0)
        {
            failure = Malformed($"{reader.Remaining} bytes follow the certification data inside the signature data");
            return false;
        }

        var inner = new QuoteReader(outer);
        return TryReadQeCertificationData(ref inner, ref parts, out failure);
    }

    private static bool TryReadQeCertificationData(ref QuoteReader reader, ref SignatureParts parts, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        failure = null;
        if (reader.Remaining < SgxReportBody.Size + 64 + 2)
        {
            failure = Malformed("signature data ends inside the QE report");
            return false;
        }

        parts.QeReport = reader.Bytes(SgxReportBody.Size);
        parts.QeReportSignature = reader.Bytes(64);
        int authSize = reader.U16();
        if (authSize > reader.Remaining)
        {
            failure = Malformed($"QE authentication data size is {authSize}, but only {reader.Remaining} bytes follow");
            return false;
        }

        parts.QeAuthData = reader.Bytes(authSize);
        if (!TryReadCertificationHeader(ref reader, out parts.CertType, out parts.CertData, out failure))
        {
            return false;
        }

        if (reader.Remaining != 0)
        {
            failure = Malformed($"{reader.Remaining} bytes follow the certification data inside the signature data");
            return false;
        }

        return true;
    }

    private static bool TryReadCertificationHeader(ref QuoteReader reader, out int type, out ReadOnlyMemory<byte> data, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        failure = null;
        data = default;
        type = 0;
        if (!reader.TryU16(out ushort t) || !reader.TryU32(out uint size))
        {
            failure = Malformed("signature data ends inside a certification data header");
            return false;
        }

        type = t;
        if (size > reader.Remaining)
        {
            failure = Malformed($"certification data size is {size}, but only {reader.Remaining} bytes follow");
            return false;
        }

        data = reader.Bytes((int)size);
        return true;
    }

    private static AttestationFailure Malformed(string message) => new(AttestationFailureCode.EvidenceMalformed, message);

    private struct SignatureParts
    {
        public ReadOnlyMemory<byte> Signature;
        public ReadOnlyMemory<byte> AttestationKey;
        public ReadOnlyMemory<byte> QeReport;
        public ReadOnlyMemory<byte> QeReportSignature;
        public ReadOnlyMemory<byte> QeAuthData;
        public int CertType;
        public ReadOnlyMemory<byte> CertData;
    }

    /// <summary>A bounds-checked little-endian cursor. Callers check <see cref="Remaining"/> before the unchecked reads.</summary>
    private struct QuoteReader(ReadOnlyMemory<byte> data)
    {
        public int Position { get; private set; }

        public readonly int Remaining => data.Length - Position;

        public ushort U16()
        {
            var value = BinaryPrimitives.ReadUInt16LittleEndian(data.Span[Position..]);
            Position += 2;
            return value;
        }

        public uint U32()
        {
            var value = BinaryPrimitives.ReadUInt32LittleEndian(data.Span[Position..]);
            Position += 4;
            return value;
        }

        public bool TryU16(out ushort value)
        {
            value = 0;
            if (Remaining < 2)
            {
                return false;
            }

            value = U16();
            return true;
        }

        public bool TryU32(out uint value)
        {
            value = 0;
            if (Remaining < 4)
            {
                return false;
            }

            value = U32();
            return true;
        }

        public ReadOnlyMemory<byte> Bytes(int count)
        {
            var slice = data.Slice(Position, count);
            Position += count;
            return slice;
        }
    }
}
