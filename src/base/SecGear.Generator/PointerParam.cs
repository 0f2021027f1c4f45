using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>A pointer to one element: <c>in T</c>, <c>out T</c> or <c>ref T</c> (by value in async variants).</summary>
internal sealed class PointerParam : ParamPlan
{
    public PointerParam(EdlParameter edl, string csName, CsType type)
        : base(edl, csName, type)
    {
    }

    public override ParamKind Kind => ParamKind.Pointer;

    public bool In => Edl.Attributes.In;

    public override bool AllowsAsync => !Out;

    private string Mode => In && Out ? "ref " : Out ? "out " : "in ";

    public override string? ParameterType(bool async) => async ? Type.Name : Mode + Type.Name;

    public override string? Argument => Mode + CsName;

    public override string? CallerWrite(bool async) => In ? Type.Write("__request", CsName) : null;

    public override string? CallerReadBack(string function, bool async) => Out ? CsName + " = " + Type.Read("__reader") + ";" : null;

    public override string CalleeRead() => Type.Name + " " + CsName + " = " + (In ? Type.Read("__reader") : "default") + ";";

    public override string? CalleeWrite() => Out ? Type.Write("__out", CsName) : null;
}
