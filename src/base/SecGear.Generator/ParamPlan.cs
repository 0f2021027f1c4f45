using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// The C# plan for one EDL parameter, chosen once by <see cref="ContractPlanner"/>. Each kind is a subclass that
/// writes its own pieces of the caller stub (proxy) and the callee stub (dispatcher); the stubs' templates only
/// place those pieces, so no emitter asks what kind a parameter is.
/// </summary>
/// <remarks>
/// Generated locals start with <c>__</c> (EDL names never do: the planner refuses them), so they cannot collide with
/// parameters. <c>__request</c>, <c>__response</c>, <c>__reader</c> and <c>__out</c> are the stubs' wire buffers.
/// </remarks>
internal abstract class ParamPlan
{
    protected ParamPlan(EdlParameter edl, string csName, CsType type)
    {
        Edl = edl;
        CsName = csName;
        Type = type;
    }

    public EdlParameter Edl { get; }

    /// <summary>The EDL name (used in error messages, so users find the parameter in their .edl file).</summary>
    public string Name => Edl.Name;

    /// <summary>C# parameter name (escaped).</summary>
    public string CsName { get; }

    /// <summary>Local-variable-safe version of the name (no <c>@</c>).</summary>
    public string Local => CsName.TrimStart('@');

    public abstract ParamKind Kind { get; }

    /// <summary>Value type, or element type for buffers and pointers.</summary>
    public CsType Type { get; }

    public bool Out => Edl.Attributes.Out;

    /// <summary>False when the parameter cannot be a parameter of an async method (by-reference results).</summary>
    public virtual bool AllowsAsync => true;

    /// <summary>The C# parameter type; null when the parameter is not in the C# signature (a folded size).</summary>
    public abstract string? ParameterType(bool async);

    /// <summary>The argument the dispatcher passes to the implementation; null when not in the signature.</summary>
    public virtual string? Argument => CsName;

    /// <summary>Caller: validation of the caller's own arguments (ArgumentException-family errors) and the locals the writes use.</summary>
    public virtual string? CallerCheck(bool async) => null;

    /// <summary>Caller: writes the parameter to <c>__request</c>.</summary>
    public abstract string? CallerWrite(bool async);

    /// <summary>Caller: reads the parameter's result back from <c>__reader</c>; every response byte is hostile.</summary>
    public virtual string? CallerReadBack(string function, bool async) => null;

    /// <summary>Callee: reads the parameter from <c>__reader</c>; every request byte is hostile.</summary>
    public abstract string CalleeRead();

    /// <summary>Callee: checks of what was read, once the whole request is read.</summary>
    public virtual string? CalleeCheck(string function) => null;

    /// <summary>Callee: checks after the implementation returned.</summary>
    public virtual string? CalleeAfterCall(string function) => null;

    /// <summary>Callee: writes the parameter's result to <c>__out</c>.</summary>
    public virtual string? CalleeWrite() => null;
}
