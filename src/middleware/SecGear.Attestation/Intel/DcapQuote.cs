namespace SecGear.Attestation.Intel;

/// <summary>
/// A parsed Intel DCAP ECDSA quote (SGX v3, TDX v4/v5). Parsing checks structure only; nothing here is trusted until
/// <see cref="IntelDcapVerifier"/> has checked it. Obtain one with <see cref="DcapQuoteParser.TryParse"/>.
/// </summary>
public sealed class DcapQuote
{
    /// <summary>Intel's QE vendor id.</summary>
    public static ReadOnlySpan<byte> IntelQeVendorId => [0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07];

    /// <summary>Quote version (3, 4 or 5).</summary>
    public required int Version { get; init; }

    /// <summary>Attestation key type (2 = ECDSA-256-with-P-256).</summary>
    public required int AttestationKeyType { get; init; }

    /// <summary>TEE type: 0 SGX, 0x81 TDX.</summary>
    public required uint TeeType { get; init; }

    /// <summary>QE SVN from the header (v3 only; 0 otherwise).</summary>
    public required int QeSvn { get; init; }

    /// <summary>PCE SVN from the header (v3 only; 0 otherwise).</summary>
    public required int PceSvn { get; init; }

    /// <summary>QE vendor id (16 bytes).</summary>
    public required ReadOnlyMemory<byte> QeVendorId { get; init; }

    /// <summary>Header user data (20 bytes).</summary>
    public required ReadOnlyMemory<byte> UserData { get; init; }

    /// <summary>The body type.</summary>
    public required QuoteBodyType BodyType { get; init; }

    /// <summary>The SGX enclave report, for SGX quotes.</summary>
    public SgxReportBody? SgxBody { get; init; }

    /// <summary>The TD report, for TDX quotes.</summary>
    public TdReportBody? TdBody { get; init; }

    /// <summary>The bytes the quote signature covers (header, body descriptor if any, body).</summary>
    public required ReadOnlyMemory<byte> SignedRegion { get; init; }

    /// <summary>The quote signature: ECDSA P-256 r‖s (64 bytes).</summary>
    public required ReadOnlyMemory<byte> Signature { get; init; }

    /// <summary>The attestation public key x‖y (64 bytes).</summary>
    public required ReadOnlyMemory<byte> AttestationKey { get; init; }

    /// <summary>The QE report.</summary>
    public required SgxReportBody QeReport { get; init; }

    /// <summary>The QE report signature by the PCK key: r‖s (64 bytes).</summary>
    public required ReadOnlyMemory<byte> QeReportSignature { get; init; }

    /// <summary>The QE authentication data.</summary>
    public required ReadOnlyMemory<byte> QeAuthData { get; init; }

    /// <summary>The innermost certification data type (5 = PCK chain).</summary>
    public required int CertificationDataType { get; init; }

    /// <summary>The innermost certification data.</summary>
    public required ReadOnlyMemory<byte> CertificationData { get; init; }

    /// <summary>Number of bytes after the declared signature data (0 for a well-formed quote).</summary>
    public required int TrailingByteCount { get; init; }

    /// <summary>The TEE kind of this quote.</summary>
    public TeeKind Tee => TdBody is null ? TeeKind.Sgx : TeeKind.Tdx;
}
