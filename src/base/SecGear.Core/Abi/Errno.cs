namespace SecGear.Abi;

/// <summary>
/// The .NET analogue of C <c>errno</c> for EDL <c>propagate_errno</c> OCALLs. On the host, an OCALL implementation
/// sets <see cref="Value"/>; the generated OCALL handler sends it back with the results, and the generated enclave
/// proxy stores it in the enclave thread's <see cref="Value"/> once the OCALL has returned.
/// </summary>
public static class Errno
{
    [ThreadStatic]
    private static int t_value;

    /// <summary>The calling thread's error number.</summary>
    public static int Value
    {
        get => t_value;
        set => t_value = value;
    }
}
