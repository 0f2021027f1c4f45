namespace SecGear.CryptoModule;

/// <summary>Creates a key; its material is generated inside the enclave and never leaves it unwrapped.</summary>
/// <param name="Spec">Kind and size.</param>
/// <param name="Usage">What it may do (checked against the spec).</param>
/// <param name="Id">An id (1-64 of <c>A-Z a-z 0-9 . _ -</c>); generated when absent.</param>
/// <param name="Label">A free-form label (e.g. the PKCS#11 CKA_LABEL), at most 256 characters.</param>
public sealed record CreateKeyRequest(KeySpec Spec, KeyUsage Usage, string? Id = null, string? Label = null);

/// <summary>One version of a key.</summary>
/// <param name="Version">1, 2, … (rotation adds one).</param>
/// <param name="PublicKey">SubjectPublicKeyInfo DER of an asymmetric key's public half; null for secret keys.</param>
/// <param name="Created">When it was generated.</param>
public sealed record KeyVersionInfo(uint Version, byte[]? PublicKey, DateTimeOffset Created);

/// <summary>A key's attributes (never its secret).</summary>
/// <param name="Id">The key id, unique in its tenant.</param>
/// <param name="Spec">Kind and size.</param>
/// <param name="Usage">What it may do.</param>
/// <param name="State"><c>Enabled</c>, <c>Disabled</c> or <c>Destroyed</c>.</param>
/// <param name="PrimaryVersion">The version new operations use.</param>
/// <param name="Label">The label given at creation.</param>
/// <param name="PublicKey">The primary version's public key (SPKI DER) or null.</param>
/// <param name="Created">When the key was created.</param>
/// <param name="Versions">Every version, oldest first.</param>
public sealed record KeyInfo(
    string Id,
    KeySpec Spec,
    KeyUsage Usage,
    KeyState State,
    uint PrimaryVersion,
    string? Label,
    byte[]? PublicKey,
    DateTimeOffset Created,
    IReadOnlyList<KeyVersionInfo> Versions);

/// <summary>The tenant's keys.</summary>
public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);
