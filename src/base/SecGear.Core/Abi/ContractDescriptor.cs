namespace SecGear.Abi;

/// <summary>
/// Describes one EDL contract at run time: its name, its contract hash and its ECALL and OCALL tables.
/// Emitted by the source generator; the runtime uses it to check that host and enclave agree (same hash)
/// and to enforce EDL rules that belong to the trusted side (public ECALLs, <c>allow</c> lists).
/// </summary>
public sealed class ContractDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    /// <param name="name">Contract name (the EDL file name without extension).</param>
    /// <param name="hash">SHA-256 of the canonical form of the contract (32 bytes).</param>
    /// <param name="ecalls">ECALLs, indexed by id.</param>
    /// <param name="ocalls">OCALLs, indexed by id.</param>
    public ContractDescriptor(string name, byte[] hash, IReadOnlyList<FunctionDescriptor> ecalls, IReadOnlyList<FunctionDescriptor> ocalls)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(ecalls);
        ArgumentNullException.ThrowIfNull(ocalls);
        if (hash.Length != 32)
        {
            throw new ArgumentException("A contract hash is 32 bytes (SHA-256).", nameof(hash));
        }

        for (int i = 0; i < ecalls.Count; i++)
        {
            if (ecalls[i].Id != i)
            {
                throw new ArgumentException($"ECALL '{ecalls[i].Name}' has id {ecalls[i].Id} at index {i}.", nameof(ecalls));
            }
        }

        for (int i = 0; i < ocalls.Count; i++)
        {
            if (ocalls[i].Id != i)
            {
                throw new ArgumentException($"OCALL '{ocalls[i].Name}' has id {ocalls[i].Id} at index {i}.", nameof(ocalls));
            }
        }

        Name = name;
        Hash = hash;
        Ecalls = ecalls;
        Ocalls = ocalls;
    }

    /// <summary>Contract name (the EDL file name without extension).</summary>
    public string Name { get; }

    /// <summary>SHA-256 of the canonical form of the contract.</summary>
    public byte[] Hash { get; }

    /// <summary>Trusted functions, indexed by id.</summary>
    public IReadOnlyList<FunctionDescriptor> Ecalls { get; }

    /// <summary>Untrusted functions, indexed by id.</summary>
    public IReadOnlyList<FunctionDescriptor> Ocalls { get; }

    /// <summary>Contract hash as lower-case hex.</summary>
    public string HashHex => Convert.ToHexStringLower(Hash);

    /// <summary>True when <paramref name="ecallId"/> may run while OCALL <paramref name="ocallId"/> is in progress.</summary>
    public bool IsNestedEcallAllowed(int ocallId, int ecallId)
    {
        if ((uint)ocallId >= (uint)Ocalls.Count)
        {
            return false;
        }

        foreach (int allowed in Ocalls[ocallId].Allow)
        {
            if (allowed == ecallId)
            {
                return true;
            }
        }

        return false;
    }
}
