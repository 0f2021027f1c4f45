namespace SecGear.Generator;

/// <summary>How one EDL parameter is passed (see docs/edl-to-csharp.md); the planner picks it once per parameter.</summary>
internal enum ParamKind
{
    /// <summary>Scalar, enum or struct by value.</summary>
    Value,

    /// <summary><c>[user_check]</c> pointer: a raw address as <c>nint</c>.</summary>
    UserCheck,

    /// <summary><c>[in, string]</c> / <c>[in, wstring]</c>: <c>string?</c>.</summary>
    String,

    /// <summary><c>[in, out, string]</c> / <c>wstring</c>: <c>ref string?</c> that may shrink, never grow.</summary>
    StringRef,

    /// <summary>Pointer with <c>size</c>/<c>count</c>, or a fixed array: a span.</summary>
    Buffer,

    /// <summary>Pointer to one element: <c>in</c>/<c>out</c>/<c>ref T</c>.</summary>
    Pointer,
}
