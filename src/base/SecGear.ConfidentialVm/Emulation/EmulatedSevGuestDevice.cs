using System.Buffers.Binary;
using System.Security.Cryptography;
using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Emulation;

/// <summary>
/// An emulated <c>/dev/sev-guest</c> for tests of the seal-policy mapping: derived keys are HMAC-SHA-256 of a per-chip
/// secret over the request and the launch fields it selects, so a key changes exactly when a selected field does (as
/// the firmware's does). Reports are the recorded one. It emulates the request semantics, not AMD's key derivation.
/// </summary>
public sealed class EmulatedSevGuestDevice : ISevGuestDevice
{
    private readonly byte[] _chipSecret;

    /// <summary>Creates a device with a fresh random chip secret.</summary>
    public EmulatedSevGuestDevice(byte[]? chipSecret = null) => _chipSecret = chipSecret ?? RandomNumberGenerator.GetBytes(32);

    /// <summary>The guest policy of the emulated VM.</summary>
    public ulong GuestPolicy { get; set; } = 0x30000;

    /// <summary>The launch measurement (48 bytes).</summary>
    public byte[] Measurement { get; set; } = new byte[48];

    /// <summary>The ID block's family id (16 bytes).</summary>
    public byte[] FamilyId { get; set; } = new byte[16];

    /// <summary>The ID block's image id (16 bytes).</summary>
    public byte[] ImageId { get; set; } = new byte[16];

    /// <summary>The recorded report <see cref="GetReport"/> returns; null = the device has none (ENODEV).</summary>
    public byte[]? Report { get; set; }

    /// <summary>Requests served.</summary>
    public int DerivedKeyRequests { get; private set; }

    /// <inheritdoc/>
    public byte[] GetReport(ReadOnlySpan<byte> userData, uint vmpl)
    {
        if (vmpl > 3)
        {
            throw new TsmException(TsmFailureCode.IoError, "SNP_GET_REPORT: the firmware answered status 0x16 (invalid parameter: VMPL above 3)");
        }

        ReportVmpls.Add(vmpl);
        return Report is { } report ? [.. report] : throw new TsmException(TsmFailureCode.ProviderMissing, "emulated /dev/sev-guest has no report", Errno.ENODEV);
    }

    /// <summary>The certificate table the emulated host supplies with SNP_GET_EXT_REPORT (null: none).</summary>
    public byte[]? Certificates { get; set; }

    /// <summary>The VMPLs of the report requests made, in order.</summary>
    public List<uint> ReportVmpls { get; } = [];

    /// <inheritdoc/>
    public (byte[] Report, byte[] Certificates) GetExtendedReport(ReadOnlySpan<byte> userData, uint vmpl) =>
        (GetReport(userData, vmpl), Certificates is { } table ? [.. table] : []);

    /// <inheritdoc/>
    public void GetDerivedKey(in SnpDerivedKeyRequest request, Span<byte> key)
    {
        DerivedKeyRequests++;
        const ulong known = SevGuestAbi.FieldGuestPolicy | SevGuestAbi.FieldImageId | SevGuestAbi.FieldFamilyId | SevGuestAbi.FieldMeasurement | SevGuestAbi.FieldGuestSvn | SevGuestAbi.FieldTcbVersion;
        if ((request.GuestFieldSelect & ~known) != 0 || request.RootKeySelect > 1)
        {
            throw new TsmException(TsmFailureCode.IoError, "SNP_GET_DERIVED_KEY: the firmware answered status 0x16 (invalid parameter)");
        }

        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _chipSecret);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, request.RootKeySelect);
        BinaryPrimitives.WriteUInt64LittleEndian(header[4..], request.GuestFieldSelect);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], request.Vmpl);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], request.GuestSvn);
        mac.AppendData(header);
        Span<byte> policy = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(policy, GuestPolicy);
        Append(mac, request.GuestFieldSelect, SevGuestAbi.FieldGuestPolicy, policy);
        Append(mac, request.GuestFieldSelect, SevGuestAbi.FieldImageId, ImageId);
        Append(mac, request.GuestFieldSelect, SevGuestAbi.FieldFamilyId, FamilyId);
        Append(mac, request.GuestFieldSelect, SevGuestAbi.FieldMeasurement, Measurement);
        if (!mac.TryGetHashAndReset(key, out _))
        {
            throw new ArgumentException("The key buffer must be 32 bytes.", nameof(key));
        }
    }

    private static void Append(IncrementalHash mac, ulong select, ulong bit, ReadOnlySpan<byte> value)
    {
        if ((select & bit) != 0)
        {
            mac.AppendData(value);
        }
    }
}
