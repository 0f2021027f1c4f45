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

    /// <summary>The active operation of <paramref name="kind"/>, or CKR_OPERATION_NOT_INITIALIZED.</summary>
    public Operation Active(OperationKind kind) => Get(kind) ?? throw new CkrException(Ck.CKR_OPERATION_NOT_INITIALIZED, $"C_{kind}Init first");

    /// <summary>Whether an operation of <paramref name="kind"/> is active.</summary>
    public bool IsActive(OperationKind kind) => Get(kind) is not null;

    /// <summary>Ends the operation of <paramref name="kind"/>.</summary>
    public void End(OperationKind kind) => Start(kind, null);

    /// <summary>Makes <paramref name="operation"/> the active one of <paramref name="kind"/> (null ends it).</summary>
    public void Start(OperationKind kind, Operation? operation)
    {
        switch (kind)
        {
            case OperationKind.Sign:
                Sign = operation;
                break;
            case OperationKind.Verify:
                Verify = operation;
                break;
            case OperationKind.Encrypt:
                Encrypt = operation;
                break;
            case OperationKind.Decrypt:
                Decrypt = operation;
                break;
            default:
                Digest = operation;
                break;
        }
    }

    private Operation? Get(OperationKind kind) => kind switch
    {
        OperationKind.Sign => Sign,
        OperationKind.Verify => Verify,
        OperationKind.Encrypt => Encrypt,
        OperationKind.Decrypt => Decrypt,
        _ => Digest,
    };
}

/// <summary>The kinds of operation a session runs, one of each at a time.</summary>
internal enum OperationKind
{
    Sign,
    Verify,
    Encrypt,
    Decrypt,
    Digest,
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
