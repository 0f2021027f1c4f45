using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// The NVIDIA opaque data of an SPDM MEASUREMENTS response: <c>u16 type, u16 length, value</c> fields. Duplicate
/// types are rejected; unknown types are kept (newer firmware adds types) and reported as <c>opaque_&lt;type&gt;</c>.
/// </summary>
public sealed class NvidiaOpaqueData
{
    /// <summary>Driver version (ASCII, NUL-padded).</summary>
    public const int DriverVersionType = 3;

    /// <summary>GPU info.</summary>
    public const int GpuInfoType = 4;

    /// <summary>VBIOS version (GPU: 8 bytes; NVSwitch: ASCII).</summary>
    public const int VbiosVersionType = 6;

    /// <summary>NVDEC0 status (0xAA enabled, 0x55 disabled).</summary>
    public const int Nvdec0StatusType = 11;

    /// <summary>Per-block measurement counts (u32 each).</summary>
    public const int MeasurementCountType = 12;

    /// <summary>Chip SKU (ASCII).</summary>
    public const int ChipSkuType = 15;

    /// <summary>Project (ASCII).</summary>
    public const int ProjectType = 17;

    /// <summary>Project SKU (ASCII).</summary>
    public const int ProjectSkuType = 18;

    /// <summary>Firmware id of the signing firmware (48 bytes), bound to the leaf certificate.</summary>
    public const int FwidType = 20;

    /// <summary>Protected-PCIe status.</summary>
    public const int ProtectedPcieStatusType = 21;

    /// <summary>Feature flag (0 single-GPU passthrough, 1 multi-GPU passthrough, 2 protected PCIe).</summary>
    public const int FeatureFlagType = 36;

    /// <summary>Names of the types NVIDIA's tools define, used as claim names.</summary>
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "cert_issuer_name",
        [2] = "cert_authority_key_id",
        [DriverVersionType] = "driver_version",
        [GpuInfoType] = "gpu_info",
        [5] = "id_sku",
        [VbiosVersionType] = "vbios_version",
        [7] = "manufacturer_id",
        [8] = "tamper_detection",
        [9] = "smc",
        [10] = "vpr",
        [Nvdec0StatusType] = "nvdec0_status",
        [MeasurementCountType] = "measurement_count",
        [13] = "cpr_info",
        [14] = "board_id",
        [ChipSkuType] = "chip_sku",
        [16] = "chip_sku_mod",
        [ProjectType] = "project",
        [ProjectSkuType] = "project_sku",
        [19] = "project_sku_mod",
        [FwidType] = "fwid",
        [ProtectedPcieStatusType] = "protected_pcie_status",
        [22] = "switch_pdis",
        [23] = "floorswept_ports",
        [24] = "position_id",
        [25] = "switch_lock_status",
        [26] = "switch_gpu_pdis",
        [32] = "gpu_link_connectivity",
        [33] = "system_enable_status",
        [34] = "opaque_data_version",
        [35] = "chip_info",
        [FeatureFlagType] = "feature_flag",
    };

    /// <summary>ASCII fields (printed as text, NUL padding removed).</summary>
    private static readonly HashSet<int> TextTypes = [DriverVersionType, ChipSkuType, 16, ProjectType, ProjectSkuType, 19];

    private readonly Dictionary<int, byte[]> _fields;

    private NvidiaOpaqueData(Dictionary<int, byte[]> fields, IReadOnlyList<int> order)
    {
        _fields = fields;
        Types = order;
    }

    /// <summary>The field types in the order they appear.</summary>
    public IReadOnlyList<int> Types { get; }

    /// <summary>The raw value of a field, or null when absent.</summary>
    public ReadOnlyMemory<byte>? this[int type] => _fields.TryGetValue(type, out var value) ? value : null;

    /// <summary>The driver version text (e.g. <c>550.90.07</c>), or null.</summary>
    public string? DriverVersion => Text(DriverVersionType);

    /// <summary>
    /// The VBIOS version as NVIDIA prints it: for an 8-byte GPU field bytes 3,2,1,0 then 4 in upper-case hex joined by
    /// dots (<c>96.00.9F.00.01</c>); an ASCII field (NVSwitch) as text. Null when absent.
    /// </summary>
    public string? VbiosVersion => _fields.TryGetValue(VbiosVersionType, out var value) ? VbiosText(value) : null;

    /// <summary>The firmware id (48 bytes) or null.</summary>
    public ReadOnlyMemory<byte>? Fwid => this[FwidType];

    /// <summary>True when NVDEC0 status is 0x55 (disabled): RIM index 35 is then not compared.</summary>
    public bool Nvdec0Disabled => _fields.TryGetValue(Nvdec0StatusType, out var value) && value is [0x55];

    /// <summary>Parses the opaque data; null and a failure on a truncated field or a repeated type.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out NvidiaOpaqueData? opaqueData, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        opaqueData = null;
        failure = null;
        var fields = new Dictionary<int, byte[]>();
        var order = new List<int>();
        while (!data.IsEmpty)
        {
            if (data.Length < 4)
            {
                failure = new(AttestationFailureCode.EvidenceMalformed, $"opaque data ends with a {data.Length}-byte fragment of a field header");
                return false;
            }

            int type = BinaryPrimitives.ReadUInt16LittleEndian(data);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
            if (length > data.Length - 4)
            {
                failure = new(AttestationFailureCode.EvidenceMalformed, $"opaque field {type} declares {length} bytes; {data.Length - 4} remain");
                return false;
            }

            if (!fields.TryAdd(type, data.Slice(4, length).ToArray()))
            {
                failure = new(AttestationFailureCode.EvidenceMalformed, $"opaque field {type} ({NameOf(type)}) appears twice");
                return false;
            }

            order.Add(type);
            data = data[(4 + length)..];
        }

        opaqueData = new NvidiaOpaqueData(fields, order);
        return true;
    }

    /// <summary>The claim name of a field type (<c>opaque_&lt;type&gt;</c> for types this version does not know).</summary>
    public static string NameOf(int type) => Names.TryGetValue(type, out var name) ? name : string.Create(CultureInfo.InvariantCulture, $"opaque_{type}");

    /// <summary>Every field as a claim: text fields as text, the VBIOS version as printed, the rest as lower-case hex.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToClaims()
    {
        foreach (int type in Types)
        {
            string value = type == VbiosVersionType ? VbiosText(_fields[type])
                : TextTypes.Contains(type) ? AsciiText(_fields[type])
                : Convert.ToHexStringLower(_fields[type]);
            yield return new(NameOf(type), value);
        }
    }

    private static string VbiosText(byte[] value) =>
        value.Length == 8
            ? string.Create(CultureInfo.InvariantCulture, $"{value[3]:X2}.{value[2]:X2}.{value[1]:X2}.{value[0]:X2}.{value[4]:X2}")
            : AsciiText(value);

    private string? Text(int type) => _fields.TryGetValue(type, out var value) ? AsciiText(value) : null;

    private static string AsciiText(byte[] value)
    {
        int end = Array.IndexOf(value, (byte)0);
        var text = value.AsSpan(0, end < 0 ? value.Length : end);
        // Non-printable bytes are shown as hex so a claim never carries control characters.
        return text.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) ? Convert.ToHexStringLower(text) : Encoding.ASCII.GetString(text);
    }
}
