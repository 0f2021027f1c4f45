namespace SecGear.Attestation.Intel;

/// <summary>Hex decoding with errors that name the field.</summary>
internal static class Hex
{
    public static byte[] Parse(string? text, string field)
    {
        if (text is null)
        {
            throw new FormatException($"'{field}' is missing");
        }

        try
        {
            return Convert.FromHexString(text.Trim().TrimEnd('\0'));
        }
        catch (FormatException)
        {
            throw new FormatException($"'{field}' is not valid hex");
        }
    }

    public static byte[] Parse(string? text, string field, int length)
    {
        var bytes = Parse(text, field);
        return bytes.Length == length ? bytes : throw new FormatException($"'{field}' is {bytes.Length} bytes, expected {length}");
    }

    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
