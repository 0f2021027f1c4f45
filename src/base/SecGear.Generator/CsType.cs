namespace SecGear.Generator;

/// <summary>How a C# value travels on the wire (see docs/edl-to-csharp.md).</summary>
internal enum WireKind
{
    Byte,
    SByte,
    Bool,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    NUInt,
    NInt,
    Enum,
    Struct,
}

/// <summary>A C# type that an EDL type maps to, with its wire encoding.</summary>
internal sealed class CsType
{
    public static readonly CsType Byte = new CsType("byte", WireKind.Byte);
    public static readonly CsType SByte = new CsType("sbyte", WireKind.SByte);
    public static readonly CsType Bool = new CsType("bool", WireKind.Bool);
    public static readonly CsType Int16 = new CsType("short", WireKind.Int16);
    public static readonly CsType UInt16 = new CsType("ushort", WireKind.UInt16);
    public static readonly CsType Int32 = new CsType("int", WireKind.Int32);
    public static readonly CsType UInt32 = new CsType("uint", WireKind.UInt32);
    public static readonly CsType Int64 = new CsType("long", WireKind.Int64);
    public static readonly CsType UInt64 = new CsType("ulong", WireKind.UInt64);
    public static readonly CsType Single = new CsType("float", WireKind.Single);
    public static readonly CsType Double = new CsType("double", WireKind.Double);
    public static readonly CsType NUInt = new CsType("nuint", WireKind.NUInt);
    public static readonly CsType NInt = new CsType("nint", WireKind.NInt);

    public CsType(string name, WireKind kind)
    {
        Name = name;
        Kind = kind;
    }

    /// <summary>The C# spelling (fully qualified for generated types).</summary>
    public string Name { get; }

    public WireKind Kind { get; }

    /// <summary>Integer types may serve as <c>size</c>/<c>count</c> values.</summary>
    public bool IsInteger =>
        Kind == WireKind.Byte || Kind == WireKind.SByte || Kind == WireKind.Int16 || Kind == WireKind.UInt16 ||
        Kind == WireKind.Int32 || Kind == WireKind.UInt32 || Kind == WireKind.Int64 || Kind == WireKind.UInt64 ||
        Kind == WireKind.NUInt || Kind == WireKind.NInt;

    /// <summary>Integers, and the enums and bools that EDL also accepts (with a warning) as <c>size</c>/<c>count</c>.</summary>
    public bool CanBeSize => IsInteger || Kind == WireKind.Enum || Kind == WireKind.Bool;

    public bool IsSigned =>
        Kind == WireKind.SByte || Kind == WireKind.Int16 || Kind == WireKind.Int32 || Kind == WireKind.Int64 ||
        Kind == WireKind.NInt || Kind == WireKind.Enum;

    /// <summary>C# expression for the size of one element in memory.</summary>
    public string SizeExpression => Kind == WireKind.Byte
        ? "1"
        : "global::System.Runtime.CompilerServices.Unsafe.SizeOf<" + Name + ">()";

    /// <summary>Statement that writes <paramref name="value"/> (a variable) to WireBuffer <paramref name="writer"/>.</summary>
    public string Write(string writer, string value)
    {
        switch (Kind)
        {
            case WireKind.Byte: return writer + ".WriteByte(" + value + ");";
            case WireKind.SByte: return writer + ".WriteSByte(" + value + ");";
            case WireKind.Bool: return writer + ".WriteBoolean(" + value + ");";
            case WireKind.Int16: return writer + ".WriteInt16(" + value + ");";
            case WireKind.UInt16: return writer + ".WriteUInt16(" + value + ");";
            case WireKind.Int32: return writer + ".WriteInt32(" + value + ");";
            case WireKind.UInt32: return writer + ".WriteUInt32(" + value + ");";
            case WireKind.Int64: return writer + ".WriteInt64(" + value + ");";
            case WireKind.UInt64: return writer + ".WriteUInt64(" + value + ");";
            case WireKind.Single: return writer + ".WriteSingle(" + value + ");";
            case WireKind.Double: return writer + ".WriteDouble(" + value + ");";
            case WireKind.NUInt: return writer + ".WriteUInt64((ulong)" + value + ");";
            case WireKind.NInt: return writer + ".WriteInt64((long)" + value + ");";
            case WireKind.Enum: return writer + ".WriteInt32((int)" + value + ");";
            default: return writer + ".WriteStruct(in " + value + ");";
        }
    }

    /// <summary>Expression that reads one value from WireReader <paramref name="reader"/>.</summary>
    public string Read(string reader)
    {
        switch (Kind)
        {
            case WireKind.Byte: return reader + ".ReadByte()";
            case WireKind.SByte: return reader + ".ReadSByte()";
            case WireKind.Bool: return reader + ".ReadBoolean()";
            case WireKind.Int16: return reader + ".ReadInt16()";
            case WireKind.UInt16: return reader + ".ReadUInt16()";
            case WireKind.Int32: return reader + ".ReadInt32()";
            case WireKind.UInt32: return reader + ".ReadUInt32()";
            case WireKind.Int64: return reader + ".ReadInt64()";
            case WireKind.UInt64: return reader + ".ReadUInt64()";
            case WireKind.Single: return reader + ".ReadSingle()";
            case WireKind.Double: return reader + ".ReadDouble()";
            case WireKind.NUInt: return "(nuint)" + reader + ".ReadUInt64()";
            case WireKind.NInt: return "(nint)" + reader + ".ReadInt64()";
            case WireKind.Enum: return "(" + Name + ")" + reader + ".ReadInt32()";
            default: return reader + ".ReadStruct<" + Name + ">()";
        }
    }
}
