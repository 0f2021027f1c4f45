namespace SecGear.Abi;

/// <summary>One ECALL or OCALL of a contract.</summary>
/// <param name="Id">Stable numeric id (ECALLs and OCALLs are numbered separately, 0-based, EDL merge order).</param>
/// <param name="Name">EDL function name.</param>
/// <param name="IsPublic">ECALLs: callable directly by the host. Private ECALLs run only when an OCALL's <c>allow</c> names them. Always true for OCALLs.</param>
/// <param name="Switchless">The EDL marks it <c>transition_using_threads</c>.</param>
/// <param name="PropagateErrno">OCALLs: the EDL marks it <c>propagate_errno</c>.</param>
/// <param name="Allow">OCALLs: ids of the ECALLs that may be called while this OCALL is in progress.</param>
public sealed record FunctionDescriptor(int Id, string Name, bool IsPublic, bool Switchless, bool PropagateErrno, int[] Allow)
{
    /// <summary>A descriptor with no <c>allow</c> list.</summary>
    public FunctionDescriptor(int id, string name, bool isPublic, bool switchless)
        : this(id, name, isPublic, switchless, false, [])
    {
    }
}
