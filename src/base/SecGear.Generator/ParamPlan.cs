using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>How one EDL parameter is passed (see docs/edl-to-csharp.md).</summary>
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

/// <summary>The C# plan for one EDL parameter.</summary>
internal sealed class ParamPlan
{
    public ParamPlan(EdlParameter edl, string csName, ParamKind kind, CsType type)
    {
        Edl = edl;
        CsName = csName;
        Kind = kind;
        Type = type;
    }

    public EdlParameter Edl { get; }

    public string Name => Edl.Name;

    /// <summary>C# parameter name (escaped).</summary>
    public string CsName { get; }

    /// <summary>Local-variable-safe version of the name (no <c>@</c>).</summary>
    public string Local => CsName.TrimStart('@');

    public ParamKind Kind { get; }

    /// <summary>Value type, or element type for buffers and pointers.</summary>
    public CsType Type { get; }

    public bool In => Edl.Attributes.In || Kind == ParamKind.Value;

    public bool Out => Edl.Attributes.Out;

    public bool Wide => Edl.Attributes.WString;

    /// <summary>Product of the declared array dimensions; 0 when the parameter is not an array.</summary>
    public long FixedElements { get; set; }

    /// <summary>On a size/count parameter folded into a span: that span's parameter.</summary>
    public ParamPlan? FoldedInto { get; set; }

    /// <summary>On a span: the size/count parameter folded into it.</summary>
    public ParamPlan? FoldedSize { get; set; }

    /// <summary>True when <see cref="FoldedSize"/> is the <c>count</c> (elements), false when it is the <c>size</c>.</summary>
    public bool FoldedIsCount { get; set; }

    /// <summary>Typed spans check that byte lengths are multiples of the element size (Intel's rule).</summary>
    public bool IsTypedBuffer => Type.Kind != WireKind.Byte;

    public string SpanType(bool memory)
    {
        string element = Type.Name;
        if (memory)
        {
            return (Out ? "global::System.Memory<" : "global::System.ReadOnlyMemory<") + element + ">";
        }

        return (Out ? "global::System.Span<" : "global::System.ReadOnlySpan<") + element + ">";
    }
}
