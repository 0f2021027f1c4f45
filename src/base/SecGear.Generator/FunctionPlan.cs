using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>The C# plan for one ECALL or OCALL: its C# name, return type and parameter plans.</summary>
internal sealed class FunctionPlan
{
    public FunctionPlan(EdlFunction edl, string csName, CsType? returnType, IReadOnlyList<ParamPlan> parameters)
    {
        Edl = edl;
        CsName = csName;
        ReturnType = returnType;
        Parameters = parameters;
        bool allowsAsync = edl.Switchless;
        foreach (ParamPlan p in parameters)
        {
            allowsAsync &= p.AllowsAsync;
        }

        HasAsync = allowsAsync;
    }

    public EdlFunction Edl { get; }

    /// <summary>The EDL name, used in messages so users find the function in their .edl file.</summary>
    public string Name => Edl.Name;

    /// <summary>The C# method name; changed from the PascalCase form only when that form is already taken.</summary>
    public string CsName { get; set; }

    /// <summary>Null for <c>void</c>.</summary>
    public CsType? ReturnType { get; }

    public IReadOnlyList<ParamPlan> Parameters { get; }

    public string ReturnName => ReturnType?.Name ?? "void";

    /// <summary>"ECALL" or "OCALL", for messages and doc comments.</summary>
    public string Kind => Edl.IsTrusted ? "ECALL" : "OCALL";

    /// <summary>An async variant exists for switchless functions whose parameters can live in an async method.</summary>
    public bool HasAsync { get; }

    /// <summary>An OCALL that carries the host's <c>errno</c> back (<c>propagate_errno</c>).</summary>
    public bool PropagatesErrno => !Edl.IsTrusted && Edl.PropagateErrno;

    /// <summary>The C# parameter list; <paramref name="async"/> uses Memory types and adds a cancellation token.</summary>
    public string Signature(bool async)
    {
        var parts = new List<string>();
        foreach (ParamPlan p in Parameters)
        {
            if (p.ParameterType(async) is string type)
            {
                parts.Add(type + " " + p.CsName);
            }
        }

        if (async)
        {
            parts.Add("global::System.Threading.CancellationToken cancellationToken = default");
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    /// <summary>The arguments a dispatcher passes to the implementation.</summary>
    public string Arguments()
    {
        var parts = new List<string>();
        foreach (ParamPlan p in Parameters)
        {
            if (p.Argument is string argument)
            {
                parts.Add(argument);
            }
        }

        return string.Join(", ", parts);
    }
}
