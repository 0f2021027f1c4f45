namespace SecGear.Trusted.Runtime;

/// <summary>
/// One ECALL or OCALL in progress on the current thread. Frames form a per-thread stack shared by every runtime in
/// the process (an in-process host may nest calls into several enclaves on one thread), so each frame names its runtime.
/// </summary>
internal sealed class CallFrame
{
    [ThreadStatic]
    private static CallFrame? t_top;

    private CallFrame(EnclaveRuntime runtime, bool isOcall, int contract, int function, CallFrame? parent, int depth)
    {
        Runtime = runtime;
        IsOcall = isOcall;
        Contract = contract;
        Function = function;
        Parent = parent;
        Depth = depth;
    }

    public EnclaveRuntime Runtime { get; }

    public bool IsOcall { get; }

    public int Contract { get; }

    public int Function { get; }

    public CallFrame? Parent { get; }

    /// <summary>Number of frames of the same runtime up to and including this one.</summary>
    public int Depth { get; }

    /// <summary>The innermost frame of <paramref name="runtime"/> on this thread, or null.</summary>
    public static CallFrame? Innermost(EnclaveRuntime runtime)
    {
        for (CallFrame? f = t_top; f is not null; f = f.Parent)
        {
            if (ReferenceEquals(f.Runtime, runtime))
            {
                return f;
            }
        }

        return null;
    }

    public static CallFrame Push(EnclaveRuntime runtime, bool isOcall, int contract, int function, int depth)
    {
        var frame = new CallFrame(runtime, isOcall, contract, function, t_top, depth);
        t_top = frame;
        return frame;
    }

    public void Pop()
    {
        if (!ReferenceEquals(t_top, this))
        {
            throw new InvalidOperationException("Enclave call frames were popped out of order.");
        }

        t_top = Parent;
    }
}
