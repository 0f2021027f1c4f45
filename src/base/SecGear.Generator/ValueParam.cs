using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>A scalar, enum or struct passed by value; may be folded into the span it sizes.</summary>
internal class ValueParam : ParamPlan
{
    public ValueParam(EdlParameter edl, string csName, CsType type)
        : base(edl, csName, type)
    {
    }

    public override ParamKind Kind => ParamKind.Value;

    /// <summary>On a size/count parameter folded into a span: that span's parameter (its value is the span's length).</summary>
    public BufferParam? FoldedInto { get; set; }

    public override string? ParameterType(bool async) => FoldedInto == null ? Type.Name : null;

    public override string? Argument => FoldedInto == null ? CsName : null;

    // A folded size is a local the buffer's check declared from the span's length.
    public override string? CallerWrite(bool async) => Type.Write("__request", CsName);

    public override string CalleeRead() => Type.Name + " " + CsName + " = " + Type.Read("__reader") + ";";
}
