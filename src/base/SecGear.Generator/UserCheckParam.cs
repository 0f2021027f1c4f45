using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>A <c>[user_check]</c> pointer: the raw address travels as an <c>nint</c> and is never followed.</summary>
internal sealed class UserCheckParam : ValueParam
{
    public UserCheckParam(EdlParameter edl, string csName)
        : base(edl, csName, CsType.NInt)
    {
    }

    public override ParamKind Kind => ParamKind.UserCheck;
}
