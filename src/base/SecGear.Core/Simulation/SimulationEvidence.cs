using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace SecGear.Simulation;

/// <summary>
/// The byte layout of simulation evidence (format id <see cref="FormatId"/>), shared by the attester in the enclave
/// and the verifier: a fixed 172-byte signed body, an ECDSA P-256 signature over it, then the DER certificates of the
/// platform attestation key and of the simulated attestation CA. All integers are little-endian. See docs/attestation.md.
/// </summary>
/// <remarks>
/// Layout: magic "SGSE" (4) | version u16 = 1 | flags u16 (bit 0 debug, bit 1 in-process: no isolation from the host) | measurement (32) | signer (32) |
/// product id u16 | security version u16 | platform id (32) | report data (64) || signature r||s (64) |
/// attestation key certificate length u16 | certificate DER | CA certificate length u16 | certificate DER.
/// Parsing is strict: unknown flags, lengths out of range and trailing bytes are rejected.
/// </remarks>
public sealed record SimulationEvidence
{
    /// <summary>The evidence format id.</summary>
    public const string FormatId = "secgear-simulation";

    /// <summary>The only layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>The length of the signed body.</summary>
    public const int SignedLength = 172;

    /// <summary>The length of the IEEE P1363 (r||s) P-256 signature.</summary>
    public const int SignatureLength = 64;

    /// <summary>The length of the report data field; shorter caller data is zero-padded.</summary>
    public const int ReportDataLength = 64;

    /// <summary>The largest certificate accepted in either certificate field.</summary>
    public const int MaxCertificateLength = 4096;

    /// <summary>The largest possible evidence.</summary>
    public const int MaxLength = SignedLength + SignatureLength + 2 + MaxCertificateLength + 2 + MaxCertificateLength;

    private const ushort DebugFlag = 1;
    private const ushort InProcessFlag = 2;
    private const int MinLength = SignedLength + SignatureLength + 2 + 1 + 2 + 1;

    /// <summary>The four magic bytes at offset 0.</summary>
    public static ReadOnlySpan<byte> Magic => "SGSE"u8;

    /// <summary>The enclave measurement (32 bytes).</summary>
    public required ReadOnlyMemory<byte> Measurement { get; init; }

    /// <summary>The enclave signer (32 bytes).</summary>
    public required ReadOnlyMemory<byte> Signer { get; init; }

    /// <summary>The enclave product id.</summary>
    public required ushort ProductId { get; init; }

    /// <summary>The enclave security version.</summary>
    public required ushort SecurityVersion { get; init; }

    /// <summary>True when the enclave runs in debug mode.</summary>
    public required bool Debug { get; init; }

    /// <summary>
    /// True when the enclave ran in its host's own process (the in-process debugging engine): nothing isolates it from
    /// the host, so the evidence proves the code's identity but not that the host cannot read its memory.
    /// </summary>
    public bool InProcess { get; init; }

    /// <summary>The non-secret fingerprint of the simulated platform secret (32 bytes).</summary>
    public required ReadOnlyMemory<byte> PlatformId { get; init; }

    /// <summary>The report data bound by the enclave (64 bytes).</summary>
    public required ReadOnlyMemory<byte> ReportData { get; init; }

    /// <summary>The signature (r||s) over <see cref="SignedBytes"/>.</summary>
    public ReadOnlyMemory<byte> Signature { get; init; }

    /// <summary>The DER certificate of the platform attestation key.</summary>
    public ReadOnlyMemory<byte> AttestationKeyCertificate { get; init; }

    /// <summary>The DER certificate of the simulated attestation CA.</summary>
    public ReadOnlyMemory<byte> CaCertificate { get; init; }

    /// <summary>The signed body as it appeared in parsed evidence (empty for evidence built in code).</summary>
    public ReadOnlyMemory<byte> SignedBytes { get; private init; }

    /// <summary>True when <paramref name="data"/> starts with the magic and the supported version.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> data) =>
        data.Length >= 6 && data[..4].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt16LittleEndian(data[4..]) == CurrentVersion;

    /// <summary>Writes the signed body of this evidence into <paramref name="destination"/> (<see cref="SignedLength"/> bytes).</summary>
    /// <exception cref="ArgumentException">A field has the wrong length or the destination is too short.</exception>
    public void WriteSignedBody(Span<byte> destination)
    {
        if (destination.Length < SignedLength)
        {
            throw new ArgumentException($"The destination must hold {SignedLength} bytes.", nameof(destination));
        }

        RequireLength(Measurement, 32, nameof(Measurement));
        RequireLength(Signer, 32, nameof(Signer));
        RequireLength(PlatformId, 32, nameof(PlatformId));
        RequireLength(ReportData, ReportDataLength, nameof(ReportData));
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], CurrentVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)((Debug ? DebugFlag : 0) | (InProcess ? InProcessFlag : 0)));
        Measurement.Span.CopyTo(destination[8..]);
        Signer.Span.CopyTo(destination[40..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[72..], ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[74..], SecurityVersion);
        PlatformId.Span.CopyTo(destination[76..]);
        ReportData.Span.CopyTo(destination[108..]);
    }

    /// <summary>Encodes the complete evidence: body, <see cref="Signature"/> and both certificates.</summary>
    /// <exception cref="ArgumentException">A field has the wrong length or a certificate is empty or too large.</exception>
    public byte[] Encode()
    {
        RequireLength(Signature, SignatureLength, nameof(Signature));
        RequireCertificate(AttestationKeyCertificate, nameof(AttestationKeyCertificate));
        RequireCertificate(CaCertificate, nameof(CaCertificate));
        var output = new byte[SignedLength + SignatureLength + 2 + AttestationKeyCertificate.Length + 2 + CaCertificate.Length];
        var span = output.AsSpan();
        WriteSignedBody(span);
        Signature.Span.CopyTo(span[SignedLength..]);
        int offset = SignedLength + SignatureLength;
        foreach (var certificate in (ReadOnlyMemory<byte>[])[AttestationKeyCertificate, CaCertificate])
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)certificate.Length);
            certificate.Span.CopyTo(span[(offset + 2)..]);
            offset += 2 + certificate.Length;
        }

        return output;
    }

    /// <summary>
    /// Parses evidence strictly. On failure returns false and a message saying what was found and what was expected;
    /// never throws for any input. The parsed fields are copies, independent of <paramref name="data"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SimulationEvidence? evidence, [NotNullWhen(false)] out string? error)
    {
        evidence = null;
        if (data.Length < MinLength || data.Length > MaxLength)
        {
            error = $"simulation evidence is {data.Length} bytes; expected {MinLength}..{MaxLength}";
            return false;
        }

        if (!data[..4].SequenceEqual(Magic))
        {
            error = $"simulation evidence starts with {Convert.ToHexStringLower(data[..4])}; expected the magic 53475345 (\"SGSE\")";
            return false;
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        if (version != CurrentVersion)
        {
            error = $"simulation evidence version is {version}; expected {CurrentVersion}";
            return false;
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        if ((flags & ~(DebugFlag | InProcessFlag)) != 0)
        {
            error = $"simulation evidence flags are 0x{flags:x4}; only bit 0 (debug) and bit 1 (in-process) are defined";
            return false;
        }

        int offset = SignedLength + SignatureLength;
        if (!TryReadCertificate(data, ref offset, "attestation key", out var keyCertificate, out error)
            || !TryReadCertificate(data, ref offset, "CA", out var caCertificate, out error))
        {
            return false;
        }

        if (offset != data.Length)
        {
            error = $"simulation evidence has {data.Length - offset} bytes after the CA certificate; expected none";
            return false;
        }

        evidence = new SimulationEvidence
        {
            Measurement = data.Slice(8, 32).ToArray(),
            Signer = data.Slice(40, 32).ToArray(),
            ProductId = BinaryPrimitives.ReadUInt16LittleEndian(data[72..]),
            SecurityVersion = BinaryPrimitives.ReadUInt16LittleEndian(data[74..]),
            Debug = (flags & DebugFlag) != 0,
            InProcess = (flags & InProcessFlag) != 0,
            PlatformId = data.Slice(76, 32).ToArray(),
            ReportData = data.Slice(108, ReportDataLength).ToArray(),
            Signature = data.Slice(SignedLength, SignatureLength).ToArray(),
            AttestationKeyCertificate = keyCertificate,
            CaCertificate = caCertificate,
            SignedBytes = data[..SignedLength].ToArray(),
        };
        return true;
    }

    private static bool TryReadCertificate(ReadOnlySpan<byte> data, ref int offset, string name, out byte[] certificate, [NotNullWhen(false)] out string? error)
    {
        certificate = [];
        if (data.Length - offset < 2)
        {
            error = $"simulation evidence ends at byte {data.Length} before the {name} certificate length at {offset}";
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);
        if (length is 0 or > MaxCertificateLength)
        {
            error = $"the {name} certificate length is {length}; expected 1..{MaxCertificateLength}";
            return false;
        }

        if (data.Length - offset - 2 < length)
        {
            error = $"the {name} certificate is {length} bytes but only {data.Length - offset - 2} remain";
            return false;
        }

        certificate = data.Slice(offset + 2, length).ToArray();
        offset += 2 + length;
        error = null;
        return true;
    }

    private static void RequireLength(ReadOnlyMemory<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes; got {value.Length}.", name);
        }
    }

    private static void RequireCertificate(ReadOnlyMemory<byte> value, string name)
    {
        if (value.Length is 0 or > MaxCertificateLength)
        {
            throw new ArgumentException($"{name} must be 1..{MaxCertificateLength} bytes; got {value.Length}.", name);
        }
    }
}
