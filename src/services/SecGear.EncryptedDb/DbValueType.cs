namespace SecGear.EncryptedDb;

/// <summary>The data types a column of an encrypted table can have (the tag byte of <see cref="ValueCodec"/>).</summary>
public enum DbValueType : byte
{
    /// <summary>PostgreSQL <c>bigint</c>; .NET <see cref="long"/>.</summary>
    Int64 = 1,

    /// <summary>PostgreSQL <c>numeric</c>; .NET <see cref="decimal"/> (at most 28 significant digits).</summary>
    Numeric = 2,

    /// <summary>PostgreSQL <c>text</c>; .NET <see cref="string"/>, compared by code point (the C.UTF-8 collation).</summary>
    Text = 3,

    /// <summary>PostgreSQL <c>date</c>; .NET <see cref="DateOnly"/>.</summary>
    Date = 4,
}
