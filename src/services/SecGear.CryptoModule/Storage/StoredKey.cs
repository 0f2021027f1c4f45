namespace SecGear.CryptoModule.Storage;

/// <summary>One version of a key as stored: the enclave's wrapped blob (empty once destroyed) and the public key.</summary>
public sealed record StoredKeyVersion(uint Version, byte[] Blob, byte[]? PublicKey, DateTimeOffset Created);

/// <summary>A key record as stored (attributes plus every version's wrapped blob; no plaintext material ever).</summary>
public sealed record StoredKey(
    string Tenant,
    string Id,
    KeySpec Spec,
    KeyUsage Usage,
    KeyState State,
    uint PrimaryVersion,
    string? Label,
    DateTimeOffset Created,
    IReadOnlyList<StoredKeyVersion> Versions)
{
    /// <summary>The version with this number, or null.</summary>
    public StoredKeyVersion? Find(uint version) => Versions.FirstOrDefault(v => v.Version == version);

    /// <summary>The attributes a client may see.</summary>
    public KeyInfo ToInfo() => new(
        Id, Spec, Usage, State, PrimaryVersion, Label, Find(PrimaryVersion)?.PublicKey, Created,
        [.. Versions.Select(v => new KeyVersionInfo(v.Version, v.PublicKey, v.Created))]);
}
