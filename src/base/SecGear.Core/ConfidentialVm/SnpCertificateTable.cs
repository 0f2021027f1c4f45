using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace SecGear.ConfidentialVm;

/// <summary>
/// The SEV-SNP certificate table that configfs-tsm's <c>auxblob</c> (and SNP_GET_EXT_REPORT) returns, in the format of
/// the GHCB specification (section 4.1.8.1, MSG_REPORT_REQ): entries of { GUID (16 bytes, little-endian fields),
/// offset u32, length u32 } ended by an all-zero entry, then the DER certificates at their offsets from the table start.
/// </summary>
public static class SnpCertificateTable
{
    /// <summary>The VCEK entry.</summary>
    public static readonly Guid Vcek = new("63da758d-e664-4564-adc5-f4b93be8accd");

    /// <summary>The VLEK entry.</summary>
    public static readonly Guid Vlek = new("a8074bc2-a25a-483e-aae6-39c045a0b8a1");

    /// <summary>The ASK entry.</summary>
    public static readonly Guid Ask = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");

    /// <summary>The ARK entry.</summary>
    public static readonly Guid Ark = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    /// <summary>Most entries accepted.</summary>
    public const int MaxEntries = 16;

    private const int EntryLength = 24;

    /// <summary>Builds a table holding <paramref name="certificates"/> in order.</summary>
    public static byte[] Build(IReadOnlyList<(Guid Id, byte[] Der)> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        int header = (certificates.Count + 1) * EntryLength;
        var table = new byte[header + certificates.Sum(c => c.Der.Length)];
        int offset = header;
        for (int i = 0; i < certificates.Count; i++)
        {
            var entry = table.AsSpan(i * EntryLength);
            certificates[i].Id.TryWriteBytes(entry);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)certificates[i].Der.Length);
            certificates[i].Der.CopyTo(table, offset);
            offset += certificates[i].Der.Length;
        }

        return table;
    }

    /// <summary>Parses a table strictly; never throws. Entries must lie inside the table, after the entry list.</summary>
    public static bool TryParse(ReadOnlySpan<byte> table, [NotNullWhen(true)] out IReadOnlyList<(Guid Id, byte[] Der)>? certificates, [NotNullWhen(false)] out string? error)
    {
        certificates = null;
        var list = new List<(Guid, byte[])>();
        for (int i = 0; ; i++)
        {
            if (i > MaxEntries)
            {
                error = $"the SEV-SNP certificate table has more than {MaxEntries} entries";
                return false;
            }

            if (table.Length < (i + 1) * EntryLength)
            {
                error = $"the SEV-SNP certificate table ends at byte {table.Length} before the end of entry {i + 1} (no all-zero terminator)";
                return false;
            }

            var entry = table.Slice(i * EntryLength, EntryLength);
            if (!entry.ContainsAnyExcept((byte)0))
            {
                break;
            }

            var id = new Guid(entry[..16]);
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]);
            if (length == 0 || offset < (uint)EntryLength || offset > (uint)table.Length || length > (uint)table.Length - offset)
            {
                error = $"SEV-SNP certificate table entry {i + 1} ({id}) points at {offset}+{length}, outside the {table.Length}-byte table";
                return false;
            }

            list.Add((id, table.Slice((int)offset, (int)length).ToArray()));
        }

        certificates = list;
        error = null;
        return true;
    }
}
