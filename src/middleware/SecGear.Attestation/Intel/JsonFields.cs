using System.Globalization;
using System.Text.Json;

namespace SecGear.Attestation.Intel;

/// <summary>Typed reads from Intel collateral JSON with errors that name the missing or malformed field.</summary>
internal static class JsonFields
{
    public static JsonElement Object(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"'{name}' is missing or not an object");
        }

        return value;
    }

    public static JsonElement Array(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{name}' is missing or not an array");
        }

        return value;
    }

    public static string String(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"'{name}' is missing or not a string");
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException($"'{name}' is not valid UTF-8", ex);
        }
    }

    public static int Int(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int result))
        {
            throw new FormatException($"'{name}' is missing or not an integer");
        }

        return result;
    }

    public static DateTimeOffset Date(JsonElement parent, string name)
    {
        var text = String(parent, name);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw new FormatException($"'{name}' is not a date: '{text}'");
    }

    public static TcbStatus Status(JsonElement parent, string name)
    {
        var text = String(parent, name);
        return TcbStatusNames.TryParse(text, out var status) ? status : throw new FormatException($"'{name}' is not a known TCB status: '{text}'");
    }

    public static IReadOnlyList<string> Advisories(JsonElement level)
    {
        if (!level.TryGetProperty("advisoryIDs", out var ids) || ids.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        try
        {
            return ids.EnumerateArray().Select(id => id.ValueKind == JsonValueKind.String ? id.GetString()! : throw new FormatException("'advisoryIDs' holds a non-string")).ToArray();
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException("'advisoryIDs' holds invalid UTF-8", ex);
        }
    }
}
