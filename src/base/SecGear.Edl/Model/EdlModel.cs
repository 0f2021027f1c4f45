using System.Collections.Generic;

namespace SecGear.Edl.Model;

/// <summary>A position in an EDL source file (1-based line and column).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => File + "(" + Line + "," + Column + ")";
}

/// <summary>The built-in EDL base types. <see cref="Named"/> covers EDL structs/unions/enums and foreign types.</summary>
public enum EdlBaseType
{
    /// <summary><c>void</c> (return types and pointer targets only).</summary>
    Void,
    /// <summary><c>char</c>: one byte.</summary>
    Char,
    /// <summary><c>unsigned char</c>: one byte.</summary>
    UnsignedChar,
    /// <summary><c>short</c>: 16-bit signed.</summary>
    Short,
    /// <summary><c>unsigned short</c>: 16-bit.</summary>
    UnsignedShort,
    /// <summary><c>int</c>: 32-bit signed.</summary>
    Int,
    /// <summary><c>unsigned int</c>: 32-bit.</summary>
    UnsignedInt,
    /// <summary><c>long</c>: size differs between platforms, so the checker warns (SG0341) where it crosses the boundary.</summary>
    Long,
    /// <summary><c>unsigned long</c>: size differs between platforms, so the checker warns (SG0341) where it crosses the boundary.</summary>
    UnsignedLong,
    /// <summary><c>long long</c>: 64-bit signed.</summary>
    LongLong,
    /// <summary><c>unsigned long long</c>: 64-bit.</summary>
    UnsignedLongLong,
    /// <summary><c>float</c>: IEEE 754 single precision.</summary>
    Float,
    /// <summary><c>double</c>: IEEE 754 double precision.</summary>
    Double,
    /// <summary><c>long double</c>: no portable layout, so the checker warns (SG0341) where it crosses the boundary.</summary>
    LongDouble,
    /// <summary><c>size_t</c>: pointer-sized unsigned; the type of <c>size</c>/<c>count</c> attributes.</summary>
    SizeT,
    /// <summary><c>wchar_t</c>: size differs between platforms; warned about (SG0341) except behind <c>[wstring]</c>.</summary>
    WCharT,
    /// <summary><c>bool</c>: one byte, 0 or 1.</summary>
    Bool,
    /// <summary><c>int8_t</c>.</summary>
    Int8,
    /// <summary><c>int16_t</c>.</summary>
    Int16,
    /// <summary><c>int32_t</c>.</summary>
    Int32,
    /// <summary><c>int64_t</c>.</summary>
    Int64,
    /// <summary><c>uint8_t</c>.</summary>
    UInt8,
    /// <summary><c>uint16_t</c>.</summary>
    UInt16,
    /// <summary><c>uint32_t</c>.</summary>
    UInt32,
    /// <summary><c>uint64_t</c>.</summary>
    UInt64,
    /// <summary>A name: an EDL struct, union or enum (see <see cref="EdlType.TagKind"/>) or a foreign type.</summary>
    Named,
    /// <summary><c>uintptr_t</c> (pointer-sized unsigned integer; built in although not an EDL keyword).</summary>
    UIntPtr,
    /// <summary><c>intptr_t</c> (pointer-sized signed integer; built in although not an EDL keyword).</summary>
    IntPtr,
    /// <summary><c>ssize_t</c> (pointer-sized signed integer; built in although not an EDL keyword).</summary>
    SSizeT,
}

/// <summary>How a <see cref="EdlBaseType.Named"/> type was spelled: <c>struct X</c>, <c>union X</c>, <c>enum X</c> or bare <c>X</c>.</summary>
public enum EdlTagKind
{
    /// <summary>A bare name (a foreign type, or an EDL type spelled by its typedef).</summary>
    None,
    /// <summary><c>struct X</c>.</summary>
    Struct,
    /// <summary><c>union X</c>.</summary>
    Union,
    /// <summary><c>enum X</c>.</summary>
    Enum,
}

/// <summary>A type as written: optional <c>const</c>, a base type and zero or more <c>*</c>.</summary>
public sealed record EdlType(EdlBaseType Base, string? Name, EdlTagKind TagKind, int PointerDepth, bool IsConst)
{
    /// <summary>True when the type has at least one <c>*</c>.</summary>
    public bool IsPointer => PointerDepth > 0;
}

/// <summary>The value of a <c>size=</c> or <c>count=</c> attribute: a decimal literal or the name of a parameter/member.</summary>
public sealed record EdlSizeExpr(long? Literal, string? Reference);

/// <summary>Pointer attributes of a parameter or struct member; all false/null when absent.</summary>
public sealed record EdlAttributes
{
    /// <summary>No attributes.</summary>
    public static readonly EdlAttributes None = new EdlAttributes();

    /// <summary><c>in</c>: data is copied to the callee.</summary>
    public bool In { get; init; }
    /// <summary><c>out</c>: data is copied back to the caller.</summary>
    public bool Out { get; init; }
    /// <summary><c>user_check</c>: the raw address passes with no copy and no check.</summary>
    public bool UserCheck { get; init; }
    /// <summary><c>string</c>: a NUL-terminated <c>char</c> string.</summary>
    public bool String { get; init; }
    /// <summary><c>wstring</c>: a NUL-terminated <c>wchar_t</c> string.</summary>
    public bool WString { get; init; }
    /// <summary><c>isptr</c>: a foreign typedef that is a pointer.</summary>
    public bool IsPtr { get; init; }
    /// <summary><c>isary</c>: a foreign typedef that is an array.</summary>
    public bool IsAry { get; init; }
    /// <summary><c>readonly</c>: the <c>isptr</c> pointee is const and never copied back.</summary>
    public bool ReadOnly { get; init; }
    /// <summary><c>size=</c>: buffer size in bytes (times <see cref="Count"/> when both are given).</summary>
    public EdlSizeExpr? Size { get; init; }
    /// <summary><c>count=</c>: number of elements.</summary>
    public EdlSizeExpr? Count { get; init; }

    /// <summary>True when any attribute was given (the list may still have been empty <c>[]</c>, which is an error).</summary>
    public bool Any => In || Out || UserCheck || String || WString || IsPtr || IsAry || ReadOnly || Size != null || Count != null;
}

/// <summary>A function parameter.</summary>
public sealed record EdlParameter(
    string Name,
    EdlType Type,
    EdlAttributes Attributes,
    IReadOnlyList<int> Dimensions,
    SourceLocation Location);

/// <summary>Calling convention written on an OCALL (accepted and ignored, with a warning).</summary>
public enum EdlCallingConvention
{
    /// <summary>None written.</summary>
    None,
    /// <summary><c>cdecl</c>.</summary>
    Cdecl,
    /// <summary><c>stdcall</c>.</summary>
    Stdcall,
    /// <summary><c>fastcall</c>.</summary>
    Fastcall,
}

/// <summary>An ECALL (trusted) or OCALL (untrusted) function.</summary>
public sealed record EdlFunction
{
    /// <summary>The function name.</summary>
    public string Name { get; init; } = "";
    /// <summary>True for an ECALL (declared in <c>trusted</c>), false for an OCALL.</summary>
    public bool IsTrusted { get; init; }
    /// <summary>Stable id: 0-based position in the merged trusted or untrusted list (Intel edger8r order).</summary>
    public int Id { get; init; }
    /// <summary>The return type (<c>void</c> when nothing is returned).</summary>
    public EdlType ReturnType { get; init; } = new EdlType(EdlBaseType.Void, null, EdlTagKind.None, 0, false);
    /// <summary>Parameters in declaration order (empty for <c>()</c> and <c>(void)</c>).</summary>
    public IReadOnlyList<EdlParameter> Parameters { get; init; } = new EdlParameter[0];
    /// <summary>ECALLs: declared <c>public</c>. Always true for OCALLs.</summary>
    public bool IsPublic { get; init; }
    /// <summary><c>transition_using_threads</c>.</summary>
    public bool Switchless { get; init; }
    /// <summary>OCALLs: <c>propagate_errno</c>.</summary>
    public bool PropagateErrno { get; init; }
    /// <summary>OCALLs: the ECALL names in <c>allow(...)</c>.</summary>
    public IReadOnlyList<string> Allow { get; init; } = new string[0];
    /// <summary>OCALLs: calling convention written in the attribute block (accepted and ignored).</summary>
    public EdlCallingConvention CallingConvention { get; init; }
    /// <summary>OCALLs: <c>dllimport</c> written in the attribute block (accepted and ignored).</summary>
    public bool DllImport { get; init; }
    /// <summary>The file that declared it (differs from the root file for imported functions).</summary>
    public SourceLocation Location { get; init; } = new SourceLocation("", 0, 0);
}

/// <summary>A member of an EDL struct or union.</summary>
public sealed record EdlMember(
    string Name,
    EdlType Type,
    EdlAttributes Attributes,
    IReadOnlyList<int> Dimensions,
    SourceLocation Location);

/// <summary>An EDL <c>struct</c> or <c>union</c>.</summary>
public sealed record EdlStruct(string Name, bool IsUnion, IReadOnlyList<EdlMember> Members, SourceLocation Location)
{
    /// <summary>A deep-copy struct: some pointer member carries <c>size</c> or <c>count</c>.</summary>
    public bool IsDeepCopy
    {
        get
        {
            foreach (EdlMember m in Members)
            {
                if (m.Type.IsPointer && (m.Attributes.Size != null || m.Attributes.Count != null))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>One enumerator. <see cref="Value"/> is the resolved integer value (implicit values count up from the previous one).</summary>
public sealed record EdlEnumerator(string Name, long Value, SourceLocation Location)
{
    /// <summary>
    /// When the value names a constant EDL does not define (<c>X = SOME_ENUM_MAX</c>, from a C header): that C
    /// expression (<c>SOME_ENUM_MAX</c>, or <c>SOME_ENUM_MAX+1</c> for the implicit enumerator after it), and
    /// <see cref="Value"/> is meaningless. Null when the value is known.
    /// </summary>
    public string? ForeignValue { get; init; }
}

/// <summary>An EDL <c>enum</c>; <see cref="Name"/> is null for an anonymous enum (its enumerators are plain constants).</summary>
public sealed record EdlEnum(string? Name, IReadOnlyList<EdlEnumerator> Members, SourceLocation Location);

/// <summary>
/// A checked EDL contract: the root file merged with its imports (Intel edger8r merge order), ready for code
/// generation. Only produced when there are no errors.
/// </summary>
public sealed record EdlContract
{
    /// <summary>The root file's name without directory or extension.</summary>
    public string Name { get; init; } = "";
    /// <summary>Path of the root file as given.</summary>
    public string FilePath { get; init; } = "";
    /// <summary>ECALLs in id order (<see cref="EdlFunction.Id"/> equals the index).</summary>
    public IReadOnlyList<EdlFunction> Trusted { get; init; } = new EdlFunction[0];
    /// <summary>OCALLs in id order (<see cref="EdlFunction.Id"/> equals the index).</summary>
    public IReadOnlyList<EdlFunction> Untrusted { get; init; } = new EdlFunction[0];
    /// <summary>EDL structs and unions in merge order.</summary>
    public IReadOnlyList<EdlStruct> Structs { get; init; } = new EdlStruct[0];
    /// <summary>EDL enums (named and anonymous) in merge order, with resolved values.</summary>
    public IReadOnlyList<EdlEnum> Enums { get; init; } = new EdlEnum[0];
    /// <summary><c>include "x.h"</c> lines, merged (kept for C interop and the canonical form).</summary>
    public IReadOnlyList<string> Includes { get; init; } = new string[0];
    /// <summary>The same includes with the side they serve (an <c>include</c> inside a trusted/untrusted block serves one side).</summary>
    public IReadOnlyList<EdlInclude> IncludeDirectives { get; init; } = new EdlInclude[0];
    /// <summary>Sizes in bytes of the foreign types this contract uses, from <see cref="EdlCompileOptions.ForeignTypeSizes"/>.</summary>
    public IReadOnlyDictionary<string, int> ForeignTypeSizes { get; init; } = new Dictionary<string, int>();

    /// <summary>Finds the EDL struct or union named <paramref name="name"/>, or null.</summary>
    public EdlStruct? FindStruct(string name)
    {
        foreach (EdlStruct s in Structs)
        {
            if (s.Name == name)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Finds the named EDL enum <paramref name="name"/>, or null.</summary>
    public EdlEnum? FindEnum(string name)
    {
        foreach (EdlEnum e in Enums)
        {
            if (e.Name == name)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>
    /// What a <see cref="EdlBaseType.Named"/> type refers to: an EDL struct, union or enum (however it was
    /// spelled), or a foreign type. Returns <see cref="EdlTagKind.None"/> for foreign and built-in types.
    /// </summary>
    public EdlTagKind Classify(EdlType type)
    {
        if (type.Base != EdlBaseType.Named || type.Name == null)
        {
            return EdlTagKind.None;
        }

        EdlStruct? s = FindStruct(type.Name);
        if (s != null)
        {
            return s.IsUnion ? EdlTagKind.Union : EdlTagKind.Struct;
        }

        return FindEnum(type.Name) != null ? EdlTagKind.Enum : EdlTagKind.None;
    }
}

/// <summary>Which side an <c>include</c> serves.</summary>
public enum EdlIncludeSide
{
    /// <summary>Top-level include: both sides.</summary>
    Both,
    /// <summary>Inside the <c>trusted</c> block: the enclave side only.</summary>
    Trusted,
    /// <summary>Inside the <c>untrusted</c> block: the host side only.</summary>
    Untrusted,
}

/// <summary>One merged <c>include "x.h"</c> with the side it serves.</summary>
public sealed record EdlInclude(string Header, EdlIncludeSide Side);
