using System.Collections.Generic;

namespace SecGear.Edl.Model
{
    /// <summary>A position in an EDL source file (1-based line and column).</summary>
    public sealed record SourceLocation(string File, int Line, int Column)
    {
        /// <inheritdoc />
        public override string ToString() => File + "(" + Line + "," + Column + ")";
    }

    /// <summary>The built-in EDL base types. <see cref="Named"/> covers EDL structs/unions/enums and foreign types.</summary>
    public enum EdlBaseType
    {
        Void,
        Char,
        UnsignedChar,
        Short,
        UnsignedShort,
        Int,
        UnsignedInt,
        Long,
        UnsignedLong,
        LongLong,
        UnsignedLongLong,
        Float,
        Double,
        LongDouble,
        SizeT,
        WCharT,
        Bool,
        Int8,
        Int16,
        Int32,
        Int64,
        UInt8,
        UInt16,
        UInt32,
        UInt64,
        /// <summary>A name: an EDL struct, union or enum (see <see cref="EdlType.TagKind"/>) or a foreign type.</summary>
        Named,
    }

    /// <summary>How a <see cref="EdlBaseType.Named"/> type was spelled: <c>struct X</c>, <c>union X</c>, <c>enum X</c> or bare <c>X</c>.</summary>
    public enum EdlTagKind
    {
        None,
        Struct,
        Union,
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
        public static readonly EdlAttributes None = new EdlAttributes();

        public bool In { get; init; }
        public bool Out { get; init; }
        public bool UserCheck { get; init; }
        public bool String { get; init; }
        public bool WString { get; init; }
        public bool IsPtr { get; init; }
        public bool IsAry { get; init; }
        public bool ReadOnly { get; init; }
        public EdlSizeExpr? Size { get; init; }
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
        None,
        Cdecl,
        Stdcall,
        Fastcall,
    }

    /// <summary>An ECALL (trusted) or OCALL (untrusted) function.</summary>
    public sealed record EdlFunction
    {
        public string Name { get; init; } = "";
        public bool IsTrusted { get; init; }
        /// <summary>Stable id: 0-based position in the merged trusted or untrusted list (Intel edger8r order).</summary>
        public int Id { get; init; }
        public EdlType ReturnType { get; init; } = new EdlType(EdlBaseType.Void, null, EdlTagKind.None, 0, false);
        public IReadOnlyList<EdlParameter> Parameters { get; init; } = new EdlParameter[0];
        /// <summary>ECALLs: declared <c>public</c>. Always true for OCALLs.</summary>
        public bool IsPublic { get; init; }
        /// <summary><c>transition_using_threads</c>.</summary>
        public bool Switchless { get; init; }
        /// <summary>OCALLs: <c>propagate_errno</c>.</summary>
        public bool PropagateErrno { get; init; }
        /// <summary>OCALLs: the ECALL names in <c>allow(...)</c>.</summary>
        public IReadOnlyList<string> Allow { get; init; } = new string[0];
        public EdlCallingConvention CallingConvention { get; init; }
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
    public sealed record EdlEnumerator(string Name, long Value, SourceLocation Location);

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
        public IReadOnlyList<EdlFunction> Trusted { get; init; } = new EdlFunction[0];
        public IReadOnlyList<EdlFunction> Untrusted { get; init; } = new EdlFunction[0];
        public IReadOnlyList<EdlStruct> Structs { get; init; } = new EdlStruct[0];
        public IReadOnlyList<EdlEnum> Enums { get; init; } = new EdlEnum[0];
        /// <summary><c>include "x.h"</c> lines, merged (kept for C interop and the canonical form).</summary>
        public IReadOnlyList<string> Includes { get; init; } = new string[0];
    }
}
