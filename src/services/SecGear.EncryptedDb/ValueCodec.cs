using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>
/// The canonical byte encoding of one non-null value: <c>tag u8 | body</c>, where the tag is the <see cref="DbValueType"/>.
/// Int64: 8 bytes big-endian. Numeric: the four 32-bit words of <see cref="decimal.GetBits(decimal)"/>, big-endian,
/// after removing trailing zeros (so 1.50 and 1.5 encode alike, as they compare equal in PostgreSQL). Text: UTF-8.
/// Date: the day number (days since 0001-01-01) as 4 bytes big-endian. This is the plaintext that column encryption
/// protects, the form of plaintext columns in row batches, and the form of values in results.
/// </summary>
public static class ValueCodec
{
    /// <summary>Largest encoded value accepted (a text of 1 MiB).</summary>
    public const int MaxEncodedLength = 1 << 20;

    /// <summary>The type of a .NET value, or an error for a type no column can hold.</summary>
    public static DbValueType TypeOf(object value) => value switch
    {
        long or int or short => DbValueType.Int64,
        decimal => DbValueType.Numeric,
        string => DbValueType.Text,
        DateOnly => DbValueType.Date,
        _ => throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"a value of .NET type {value.GetType().Name} has no encrypted-database type (long, decimal, string, DateOnly)"),
    };

    /// <summary>Encodes a non-null value (int and short become Int64).</summary>
    public static byte[] Encode(object value)
    {
        switch (value)
        {
            case long or int or short:
            {
                byte[] bytes = new byte[9];
                bytes[0] = (byte)DbValueType.Int64;
                BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), Convert.ToInt64(value, CultureInfo.InvariantCulture));
                return bytes;
            }

            case decimal d:
            {
                byte[] bytes = new byte[17];
                bytes[0] = (byte)DbValueType.Numeric;
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(Normalize(d), bits);
                for (int i = 0; i < 4; i++)
                {
                    BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1 + (4 * i)), bits[i]);
                }

                return bytes;
            }

            case string s:
            {
                byte[] bytes = new byte[1 + Encoding.UTF8.GetByteCount(s)];
                bytes[0] = (byte)DbValueType.Text;
                Encoding.UTF8.GetBytes(s, bytes.AsSpan(1));
                return bytes;
            }

            case DateOnly date:
            {
                byte[] bytes = new byte[5];
                bytes[0] = (byte)DbValueType.Date;
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), date.DayNumber);
                return bytes;
            }

            default:
                TypeOf(value);
                throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>Decodes a value; throws <see cref="EncryptedDbException"/> (Malformed) for bytes that are not a canonical encoding.</summary>
    public static object Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IsEmpty || encoded.Length > MaxEncodedLength)
        {
            throw Malformed($"an encoded value of {encoded.Length} bytes");
        }

        ReadOnlySpan<byte> body = encoded[1..];
        switch ((DbValueType)encoded[0])
        {
            case DbValueType.Int64 when body.Length == 8:
                return BinaryPrimitives.ReadInt64BigEndian(body);
            case DbValueType.Numeric when body.Length == 16:
            {
                Span<int> bits = stackalloc int[4];
                for (int i = 0; i < 4; i++)
                {
                    bits[i] = BinaryPrimitives.ReadInt32BigEndian(body[(4 * i)..]);
                }

                // decimal's constructor validates the flags word (scale <= 28, no stray bits).
                try
                {
                    return new decimal(bits);
                }
                catch (ArgumentException)
                {
                    throw Malformed("a numeric value with invalid flags");
                }
            }

            case DbValueType.Text:
                try
                {
                    return StrictUtf8.GetString(body);
                }
                catch (DecoderFallbackException)
                {
                    throw Malformed("a text value that is not valid UTF-8");
                }

            case DbValueType.Date when body.Length == 4:
            {
                int day = BinaryPrimitives.ReadInt32BigEndian(body);
                if (day < DateOnly.MinValue.DayNumber || day > DateOnly.MaxValue.DayNumber)
                {
                    throw Malformed("a date outside 0001-01-01..9999-12-31");
                }

                return DateOnly.FromDayNumber(day);
            }

            default:
                throw Malformed($"a value with tag {encoded[0]} and {body.Length} body bytes");
        }
    }

    /// <summary>Decodes a value and checks that it has the expected type.</summary>
    public static object Decode(ReadOnlySpan<byte> encoded, DbValueType expected)
    {
        if (encoded.IsEmpty || encoded[0] != (byte)expected)
        {
            throw Malformed($"a value tagged {(encoded.IsEmpty ? "nothing" : encoded[0].ToString(CultureInfo.InvariantCulture))} where {expected} was expected");
        }

        return Decode(encoded);
    }

    /// <summary>
    /// Orders two non-null values the way PostgreSQL does for the types here: numbers numerically (Int64 and Numeric
    /// compare with each other), text by code point, dates by day. Values of other mixed types cannot be compared.
    /// </summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (decimal x, decimal y) => x.CompareTo(y),
        (long x, decimal y) => ((decimal)x).CompareTo(y),
        (decimal x, long y) => x.CompareTo((decimal)y),
        (string x, string y) => string.CompareOrdinal(x, y) switch { < 0 => -1, > 0 => 1, _ => 0 },
        (DateOnly x, DateOnly y) => x.CompareTo(y),
        _ => throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"cannot compare a {a.GetType().Name} with a {b.GetType().Name}"),
    };

    /// <summary>Removes trailing fractional zeros, so equal numbers have one encoding.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>The value as invariant text (numbers without trailing zeros, dates yyyy-MM-dd).</summary>
    public static string Format(object? value) => value switch
    {
        null => "NULL",
        decimal d => Normalize(d).ToString(CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static EncryptedDbException Malformed(string what) => new(EncryptedDbFailureCode.Malformed, $"malformed value: {what}");
}
