using System.Globalization;
using SecGear.EncryptedDb;

namespace EncryptedDb.Host;

/// <summary>
/// Compares an encrypted query's rows with the plaintext reference: numbers by value (decimals rounded to 12 places,
/// since AVG is computed with 28 significant digits in the enclave and with PostgreSQL's numeric scale rules),
/// dates as dates, text exactly; as sequences for fully ordered queries, else as multisets.
/// </summary>
public static class ResultComparer
{
    /// <summary>Canonical text of one value.</summary>
    public static string Canonical(object? value) => value switch
    {
        null or DBNull => "NULL",
        long or int or short or decimal => ValueCodec.Normalize(Math.Round(Convert.ToDecimal(value, CultureInfo.InvariantCulture), 12, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture),
        DateTime dt => DateOnly.FromDateTime(dt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Canonical rows, sorted unless <paramref name="ordered"/>.</summary>
    public static List<string> Canonical(IEnumerable<object?[]> rows, bool ordered)
    {
        var lines = rows.Select(r => string.Join(" | ", r.Select(Canonical))).ToList();
        if (!ordered)
        {
            lines.Sort(StringComparer.Ordinal);
        }

        return lines;
    }

    /// <summary>True when both give the same answer.</summary>
    public static bool Same(IEnumerable<object?[]> encrypted, IEnumerable<object?[]> plaintext, bool ordered) =>
        Canonical(encrypted, ordered).SequenceEqual(Canonical(plaintext, ordered), StringComparer.Ordinal);
}
