using Npgsql;

namespace SecGear.EncryptedDb.Service;

/// <summary>
/// Turns one PostgreSQL result column into row-batch cells: bytea (ciphertext) as stored, plaintext columns in their
/// <see cref="ValueCodec"/> encoding. The service never decrypts anything; it does not even know which bytea is which.
/// </summary>
internal static class CandidateCellReader
{
    public static Func<NpgsqlDataReader, int, byte[]> For(string dataTypeName) => dataTypeName switch
    {
        "bytea" => (r, i) => r.GetFieldValue<byte[]>(i),
        "bigint" or "integer" or "smallint" => (r, i) => ValueCodec.Encode(Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)),
        "numeric" => (r, i) => ValueCodec.Encode(r.GetDecimal(i)),
        "text" or "character varying" or "character" => (r, i) => ValueCodec.Encode(r.GetString(i)),
        "date" => (r, i) => ValueCodec.Encode(r.GetFieldValue<DateOnly>(i)),
        _ => throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, $"a candidate column of PostgreSQL type {dataTypeName} (bytea, bigint, integer, smallint, numeric, text, varchar, date are supported)"),
    };
}
