namespace SecGear.CryptoModule.Pkcs11;

/// <summary>One PKCS#11 session: its slot, flags, and at most one active operation of each kind.</summary>
internal sealed class Session(ulong handle, int slot, bool readWrite)
{
    public ulong Handle { get; } = handle;

    public int Slot { get; } = slot;

    public bool ReadWrite { get; } = readWrite;

    public List<ulong>? FindResults { get; set; }

    public int FindPosition { get; set; }

    public Operation? Sign { get; set; }

    public Operation? Verify { get; set; }

    public Operation? Encrypt { get; set; }

    public Operation? Decrypt { get; set; }

    public Operation? Digest { get; set; }
}

/// <summary>An operation between its Init and its final call: mechanism, key, parameters, data so far, a computed result kept for a size query.</summary>
internal sealed class Operation(ulong mechanism, TokenObject? key)
{
    public ulong Mechanism { get; } = mechanism;

    public TokenObject? Key { get; } = key;

    public Scheme Scheme { get; init; }

    public bool Prehashed { get; init; }

    /// <summary>A MAC (HMAC) operation: C_Sign/C_Verify go to the module's mac and mac-verify.</summary>
    public bool Mac { get; init; }

    /// <summary>The SM2 signer id (the mechanism parameter), or null for the standard default.</summary>
    public byte[]? UserId { get; init; }

    public byte[]? Iv { get; init; }

    public byte[]? Aad { get; init; }

    public MemoryStream Data { get; } = new();

    public byte[]? Result { get; set; }
}
