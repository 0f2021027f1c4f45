namespace SecGear.CryptoModule.Pkcs11;

/// <summary>One slot = one tenant of the module; its token's objects are the tenant's EC, RSA and AES keys.</summary>
internal sealed class Slot(string tenant)
{
    public string Tenant { get; } = tenant;

    /// <summary>The tenant credential once C_Login succeeded (shared by every session of the slot, as PKCS#11 wants).</summary>
    public string? Credential { get; set; }

    public Dictionary<ulong, TokenObject> Objects { get; } = [];

    public Dictionary<(string KeyId, ulong Class), ulong> Handles { get; } = [];
}
