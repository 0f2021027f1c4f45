namespace SecGear.CryptoModule;

/// <summary>Creates a tenant: a namespace of keys with its own credential.</summary>
/// <param name="Id">1-64 characters of <c>a-z 0-9 -</c>, starting with a letter or digit.</param>
/// <param name="Name">A display name.</param>
public sealed record CreateTenantRequest(string Id, string? Name = null);

/// <summary>A new tenant and its credential (shown once; the service keeps only its hash).</summary>
/// <param name="Id">The tenant id.</param>
/// <param name="Credential">The bearer credential <c>tenant.secret</c>; also the PKCS#11 PIN.</param>
public sealed record TenantCreated(string Id, string Credential);

/// <summary>The tenants of the module (admin).</summary>
public sealed record TenantList(IReadOnlyList<string> Tenants);
