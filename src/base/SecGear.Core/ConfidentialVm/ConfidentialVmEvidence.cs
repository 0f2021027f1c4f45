using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.ConfidentialVm;

/// <summary>
/// Evidence of an enclave that runs on the confidential-VM engine (format id <see cref="FormatId"/>): the enclave's
/// identity and the caller's report data, next to the hardware evidence of the VM (a TDX quote, an SEV-SNP report with
/// its certificate table, or an Arm CCA token) whose 64-byte report data is <see cref="ComputeBinding"/> of them.
/// Shared by the attester in the runner and the verifier. All integers little-endian; see docs/confidential-vm.md.
/// </summary>
/// <remarks>
/// Layout: magic "SGCV" (4) | version u16 = 1 | TEE u8 (<see cref="ConfidentialVmTee"/>) | flags u8 (bit 0: enclave
/// debug) | measurement (32) | signer (32) | product id u16 | security version u16 | report data (64) | provider name
/// length u8 | provider name (ASCII) | hardware evidence length u32 | hardware evidence | auxiliary blob length u32 |
/// auxiliary blob. Parsing is strict: unknown TEE or flags, lengths out of range and trailing bytes are rejected.
/// </remarks>
public sealed record ConfidentialVmEvidence
{
    /// <summary>The evidence format id.</summary>
    public const string FormatId = "secgear-confidential-vm";

    /// <summary>The only layout version this code reads and writes.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>The length of the caller's report data field; shorter data is zero-padded.</summary>
    public const int ReportDataLength = 64;

    /// <summary>The length of the hardware report data the binding fills (TDX REPORTDATA, SNP REPORT_DATA, CCA challenge).</summary>
    public const int BindingLength = 64;

    /// <summary>The largest hardware evidence accepted (configfs-tsm's outblob limit is 32 KiB; CCA tokens stay far below).</summary>
    public const int MaxHardwareEvidenceLength = 64 * 1024;

    /// <summary>The largest auxiliary blob accepted (the SEV-SNP certificate table; a few certificates).</summary>
    public const int MaxAuxiliaryLength = 64 * 1024;

    /// <summary>The longest provider name.</summary>
    public const int MaxProviderLength = 64;

    private const int FixedLength = 4 + 2 + 1 + 1 + 32 + 32 + 2 + 2 + ReportDataLength;
    private const byte DebugFlag = 1;

    /// <summary>The four magic bytes at offset 0.</summary>
    public static ReadOnlySpan<byte> Magic => "SGCV"u8;

    /// <summary>The domain separator of the binding hash.</summary>
    public static ReadOnlySpan<byte> BindingDomain => "SecGear.NET/confidential-vm/binding/v1\0"u8;

    /// <summary>The TEE that produced <see cref="HardwareEvidence"/>.</summary>
    public required ConfidentialVmTee Tee { get; init; }

    /// <summary>The enclave measurement (32 bytes).</summary>
    public required ReadOnlyMemory<byte> Measurement { get; init; }

    /// <summary>The enclave signer (32 bytes).</summary>
    public required ReadOnlyMemory<byte> Signer { get; init; }

    /// <summary>The enclave product id.</summary>
    public required ushort ProductId { get; init; }

    /// <summary>The enclave security version.</summary>
    public required ushort SecurityVersion { get; init; }

    /// <summary>True when the enclave image is a debug image.</summary>
    public required bool Debug { get; init; }

    /// <summary>The caller's report data (64 bytes, zero-padded).</summary>
    public required ReadOnlyMemory<byte> ReportData { get; init; }

    /// <summary>The name of the attestation provider that produced the hardware evidence (configfs-tsm's <c>provider</c>, or the device).</summary>
    public required string Provider { get; init; }

    /// <summary>The hardware evidence: configfs-tsm <c>outblob</c> (or the vendor device's report).</summary>
    public required ReadOnlyMemory<byte> HardwareEvidence { get; init; }

    /// <summary>configfs-tsm <c>auxblob</c>: the SEV-SNP certificate table (GHCB MSG_REPORT_REQ format); empty when none.</summary>
    public ReadOnlyMemory<byte> Auxiliary { get; init; }

    /// <summary>True when <paramref name="data"/> starts with the magic and the supported version.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> data) =>
        data.Length >= 6 && data[..4].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt16LittleEndian(data[4..]) == CurrentVersion;

    /// <summary>
    /// The 64 bytes of hardware report data that bind the enclave to the VM's evidence:
    /// SHA-512(<see cref="BindingDomain"/> ‖ TEE u8 ‖ flags u8 ‖ measurement (32) ‖ signer (32) ‖ product id u16 LE ‖
    /// security version u16 LE ‖ report data (64)). Every field has a fixed length, so the encoding is unambiguous.
    /// </summary>
    /// <exception cref="ArgumentException">The measurement or signer is not 32 bytes or the report data is not 64.</exception>
    public static byte[] ComputeBinding(
        ConfidentialVmTee tee, ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> signer, ushort productId, ushort securityVersion, bool debug, ReadOnlySpan<byte> reportData)
    {
        if (measurement.Length != 32 || signer.Length != 32 || reportData.Length != ReportDataLength)
        {
            throw new ArgumentException("The binding takes a 32-byte measurement, a 32-byte signer and 64 bytes of report data.");
        }

        Span<byte> input = stackalloc byte[BindingDomain.Length + 2 + 32 + 32 + 4 + ReportDataLength];
        BindingDomain.CopyTo(input);
        var rest = input[BindingDomain.Length..];
        rest[0] = (byte)tee;
        rest[1] = debug ? DebugFlag : (byte)0;
        measurement.CopyTo(rest[2..]);
        signer.CopyTo(rest[34..]);
        BinaryPrimitives.WriteUInt16LittleEndian(rest[66..], productId);
        BinaryPrimitives.WriteUInt16LittleEndian(rest[68..], securityVersion);
        reportData.CopyTo(rest[70..]);
        return SHA512.HashData(input);
    }

    /// <summary>The binding of this evidence's enclave fields (see <see cref="ComputeBinding"/>).</summary>
    public byte[] Binding() => ComputeBinding(Tee, Measurement.Span, Signer.Span, ProductId, SecurityVersion, Debug, ReportData.Span);

    /// <summary>Encodes the evidence.</summary>
    /// <exception cref="ArgumentException">A field has the wrong length or is out of range.</exception>
    public byte[] Encode()
    {
        RequireLength(Measurement, 32, nameof(Measurement));
        RequireLength(Signer, 32, nameof(Signer));
        RequireLength(ReportData, ReportDataLength, nameof(ReportData));
        if (!Enum.IsDefined(Tee) || Tee == ConfidentialVmTee.Unknown)
        {
            throw new ArgumentException($"Unknown TEE {(byte)Tee}.", nameof(Tee));
        }

        byte[] provider = Encoding.ASCII.GetBytes(Provider);
        if (provider.Length is 0 or > MaxProviderLength || Provider.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"The provider name must be 1..{MaxProviderLength} printable ASCII characters.", nameof(Provider));
        }

        if (HardwareEvidence.Length is 0 or > MaxHardwareEvidenceLength)
        {
            throw new ArgumentException($"The hardware evidence must be 1..{MaxHardwareEvidenceLength} bytes; got {HardwareEvidence.Length}.", nameof(HardwareEvidence));
        }

        if (Auxiliary.Length > MaxAuxiliaryLength)
        {
            throw new ArgumentException($"The auxiliary blob must be at most {MaxAuxiliaryLength} bytes; got {Auxiliary.Length}.", nameof(Auxiliary));
        }

        var output = new byte[FixedLength + 1 + provider.Length + 4 + HardwareEvidence.Length + 4 + Auxiliary.Length];
        var span = output.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], CurrentVersion);
        span[6] = (byte)Tee;
        span[7] = Debug ? DebugFlag : (byte)0;
        Measurement.Span.CopyTo(span[8..]);
        Signer.Span.CopyTo(span[40..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[72..], ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(span[74..], SecurityVersion);
        ReportData.Span.CopyTo(span[76..]);
        int offset = FixedLength;
        span[offset++] = (byte)provider.Length;
        provider.CopyTo(span[offset..]);
        offset += provider.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)HardwareEvidence.Length);
        HardwareEvidence.Span.CopyTo(span[(offset + 4)..]);
        offset += 4 + HardwareEvidence.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)Auxiliary.Length);
        Auxiliary.Span.CopyTo(span[(offset + 4)..]);
        return output;
    }

    /// <summary>
    /// Parses evidence strictly. On failure returns false and a message saying what was found and what was expected;
    /// never throws for any input. The parsed fields are copies, independent of <paramref name="data"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ConfidentialVmEvidence? evidence, [NotNullWhen(false)] out string? error)
    {
        evidence = null;
        if (data.Length < FixedLength + 1 + 1 + 4 + 1 + 4)
        {
            error = $"confidential-VM evidence is {data.Length} bytes; expected at least {FixedLength + 11}";
            return false;
        }

        if (!data[..4].SequenceEqual(Magic))
        {
            error = $"confidential-VM evidence starts with {Convert.ToHexStringLower(data[..4])}; expected the magic 53474356 (\"SGCV\")";
            return false;
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        if (version != CurrentVersion)
        {
            error = $"confidential-VM evidence version is {version}; expected {CurrentVersion}";
            return false;
        }

        var tee = (ConfidentialVmTee)data[6];
        if (!Enum.IsDefined(tee) || tee == ConfidentialVmTee.Unknown)
        {
            error = $"confidential-VM evidence names TEE {data[6]}; expected 1 (TDX), 2 (SEV-SNP) or 3 (Arm CCA)";
            return false;
        }

        if ((data[7] & ~DebugFlag) != 0)
        {
            error = $"confidential-VM evidence flags are 0x{data[7]:x2}; only bit 0 (debug) is defined";
            return false;
        }

        int offset = FixedLength;
        int providerLength = data[offset++];
        if (providerLength is 0 or > MaxProviderLength || data.Length - offset < providerLength)
        {
            error = $"the provider name length is {providerLength} with {data.Length - offset} bytes left; expected 1..{MaxProviderLength}";
            return false;
        }

        var providerBytes = data.Slice(offset, providerLength);
        foreach (byte b in providerBytes)
        {
            if (b is < 0x20 or > 0x7e)
            {
                error = "the provider name holds a byte that is not printable ASCII";
                return false;
            }
        }

        offset += providerLength;
        if (!TryReadBlob(data, ref offset, "hardware evidence", 1, MaxHardwareEvidenceLength, out var hardware, out error)
            || !TryReadBlob(data, ref offset, "auxiliary blob", 0, MaxAuxiliaryLength, out var auxiliary, out error))
        {
            return false;
        }

        if (offset != data.Length)
        {
            error = $"confidential-VM evidence has {data.Length - offset} bytes after the auxiliary blob; expected none";
            return false;
        }

        evidence = new ConfidentialVmEvidence
        {
            Tee = tee,
            Debug = (data[7] & DebugFlag) != 0,
            Measurement = data.Slice(8, 32).ToArray(),
            Signer = data.Slice(40, 32).ToArray(),
            ProductId = BinaryPrimitives.ReadUInt16LittleEndian(data[72..]),
            SecurityVersion = BinaryPrimitives.ReadUInt16LittleEndian(data[74..]),
            ReportData = data.Slice(76, ReportDataLength).ToArray(),
            Provider = Encoding.ASCII.GetString(providerBytes),
            HardwareEvidence = hardware,
            Auxiliary = auxiliary,
        };
        return true;
    }

    private static bool TryReadBlob(ReadOnlySpan<byte> data, ref int offset, string name, int min, int max, out byte[] blob, [NotNullWhen(false)] out string? error)
    {
        blob = [];
        if (data.Length - offset < 4)
        {
            error = $"confidential-VM evidence ends at byte {data.Length} before the {name} length at {offset}";
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
        if (length < min || length > max)
        {
            error = $"the {name} length is {length}; expected {min}..{max}";
            return false;
        }

        if (data.Length - offset - 4 < length)
        {
            error = $"the {name} is {length} bytes but only {data.Length - offset - 4} remain";
            return false;
        }

        blob = data.Slice(offset + 4, (int)length).ToArray();
        offset += 4 + (int)length;
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
}
