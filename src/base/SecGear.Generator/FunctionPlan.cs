using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>The C# plan for one ECALL or OCALL.</summary>
internal sealed class FunctionPlan
{
    public FunctionPlan(EdlFunction edl, string csName, CsType? returnType, IReadOnlyList<ParamPlan> parameters)
    {
        Edl = edl;
        CsName = csName;
        ReturnType = returnType;
        Parameters = parameters;
    }

    public EdlFunction Edl { get; }

    /// <summary>The C# method name; changed from the PascalCase form only when that form is already taken.</summary>
    public string CsName { get; set; }

    /// <summary>Null for <c>void</c>.</summary>
    public CsType? ReturnType { get; }

    public IReadOnlyList<ParamPlan> Parameters { get; }

    public string ReturnName => ReturnType?.Name ?? "void";

    /// <summary>An async variant exists for switchless functions whose parameters can live in an async method.</summary>
    public bool HasAsync
    {
        get
        {
            if (!Edl.Switchless)
            {
                return false;
            }

            foreach (ParamPlan p in Parameters)
            {
                if (p.Kind == ParamKind.StringRef || (p.Kind == ParamKind.Pointer && p.Out))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
