using System.Buffers.Binary;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>The enclave refused a message; the reason names the check, never data.</summary>
public sealed record ErrorMessage(VflStatus Status, string Reason) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        byte[] text = Encoding.UTF8.GetBytes(Reason.Length > 1000 ? Reason[..1000] : Reason);
        var bytes = new byte[5 + text.Length];
        bytes[0] = 0xFF;
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(1), (short)Status);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(3), (ushort)text.Length);
        text.CopyTo(bytes, 5);
        return bytes;
    }
}
