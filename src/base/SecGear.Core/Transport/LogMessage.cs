using SecGear.Abi;

namespace SecGear.Transport;

/// <summary>Payload of an in-band <see cref="MessageKind.Log"/> message: level, category and text.</summary>
internal static class LogMessage
{
    public const int MaxCategoryBytes = 1024;
    public const int MaxTextBytes = 64 * 1024;

    public static void Encode(WireBuffer buffer, int level, string category, string text)
    {
        buffer.WriteInt32(level);
        buffer.WriteUtf8String(Truncate(category, MaxCategoryBytes));
        buffer.WriteUtf8String(Truncate(text, MaxTextBytes));
    }

    public static LogRecord Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(payload);
        int level = reader.ReadInt32();
        string category = reader.ReadUtf8String(MaxCategoryBytes) ?? "";
        string text = reader.ReadUtf8String(MaxTextBytes) ?? "";
        reader.EnsureEnd();
        return new LogRecord(level, category, text);
    }

    private static string Truncate(string text, int maxBytes) =>
        System.Text.Encoding.UTF8.GetByteCount(text) <= maxBytes ? text : text[..(maxBytes / 4)];
}
