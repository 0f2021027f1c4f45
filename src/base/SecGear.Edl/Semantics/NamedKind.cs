namespace SecGear.Edl.Semantics;

/// <summary>What a type refers to once EDL definitions are known.</summary>
internal enum NamedKind
{
    /// <summary>A built-in scalar (or <c>void</c>).</summary>
    Builtin,
    Struct,
    Union,
    Enum,
    /// <summary>A name the EDL does not define (from a C header).</summary>
    Foreign,
}
