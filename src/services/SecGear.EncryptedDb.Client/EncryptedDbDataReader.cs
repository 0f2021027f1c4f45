using System.Collections;
using System.Data.Common;
using System.Globalization;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// The decrypted rows of a query, as a standard <see cref="DbDataReader"/>. Values are long, decimal, string,
/// DateOnly or DBNull; results are fully materialised (the enclave seals them as one message).
/// </summary>
public sealed class EncryptedDbDataReader : DbDataReader
{
    private readonly IReadOnlyList<string> _names;
    private readonly IReadOnlyList<object?[]> _rows;
    private int _current = -1;
    private bool _closed;

    internal EncryptedDbDataReader(IReadOnlyList<string> names, IReadOnlyList<object?[]> rows)
    {
        _names = names;
        _rows = rows;
    }

    /// <summary>All rows at once (values: null, long, decimal, string, DateOnly).</summary>
    public IReadOnlyList<object?[]> Rows => _rows;

    /// <inheritdoc />
    public override int FieldCount => _names.Count;

    /// <inheritdoc />
    public override bool HasRows => _rows.Count > 0;

    /// <inheritdoc />
    public override bool IsClosed => _closed;

    /// <inheritdoc />
    public override int RecordsAffected => -1;

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc />
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <inheritdoc />
    public override bool Read() => ++_current < _rows.Count;

    /// <inheritdoc />
    public override bool NextResult() => false;

    /// <inheritdoc />
    public override void Close() => _closed = true;

    /// <inheritdoc />
    public override string GetName(int ordinal) => _names[ordinal];

    /// <inheritdoc />
    public override int GetOrdinal(string name)
    {
        for (int i = 0; i < _names.Count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new IndexOutOfRangeException($"no column named '{name}'");
    }

    /// <inheritdoc />
    public override object GetValue(int ordinal) => Row[ordinal] ?? DBNull.Value;

    /// <inheritdoc />
    public override int GetValues(object[] values)
    {
        int count = Math.Min(values.Length, FieldCount);
        for (int i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    /// <inheritdoc />
    public override bool IsDBNull(int ordinal) => Row[ordinal] is null;

    /// <inheritdoc />
    public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal).Name;

    /// <inheritdoc />
    public override Type GetFieldType(int ordinal) => _rows.Select(r => r[ordinal]).FirstOrDefault(v => v is not null)?.GetType() ?? typeof(object);

    /// <inheritdoc />
    public override long GetInt64(int ordinal) => Convert.ToInt64(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override int GetInt32(int ordinal) => Convert.ToInt32(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override short GetInt16(int ordinal) => Convert.ToInt16(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override double GetDouble(int ordinal) => Convert.ToDouble(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override float GetFloat(int ordinal) => Convert.ToSingle(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string GetString(int ordinal) => (string)Row[ordinal]!;

    /// <inheritdoc />
    public override bool GetBoolean(int ordinal) => throw new InvalidCastException("the encrypted database has no boolean columns");

    /// <inheritdoc />
    public override byte GetByte(int ordinal) => Convert.ToByte(Row[ordinal], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new InvalidCastException("the encrypted database has no binary columns");

    /// <inheritdoc />
    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    /// <inheritdoc />
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        string value = GetString(ordinal);
        if (buffer is null)
        {
            return value.Length;
        }

        int count = (int)Math.Max(0, Math.Min(length, value.Length - dataOffset));
        value.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    /// <inheritdoc />
    public override DateTime GetDateTime(int ordinal) => Row[ordinal] is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : throw new InvalidCastException("not a date");

    /// <inheritdoc />
    public override Guid GetGuid(int ordinal) => throw new InvalidCastException("the encrypted database has no uuid columns");

    /// <inheritdoc />
    public override T GetFieldValue<T>(int ordinal) => Row[ordinal] is T value ? value : (T)Convert.ChangeType(Row[ordinal], typeof(T), CultureInfo.InvariantCulture)!;

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    private object?[] Row => _current >= 0 && _current < _rows.Count ? _rows[_current] : throw new InvalidOperationException("no current row: call Read first");
}
