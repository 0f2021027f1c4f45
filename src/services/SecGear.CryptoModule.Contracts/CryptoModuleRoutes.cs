namespace SecGear.CryptoModule;

/// <summary>The management service's routes (JSON over HTTP; OpenAPI document at <see cref="OpenApi"/>).</summary>
public static class CryptoModuleRoutes
{
    /// <summary>Header carrying the administrator API key (tenant management, audit of every tenant).</summary>
    public const string AdminKeyHeader = "X-SecGear-Admin-Key";

    /// <summary>POST: create a tenant (admin). GET: list tenant ids (admin).</summary>
    public const string Tenants = "/v1/tenants";

    /// <summary>POST: create a key. GET: list the tenant's keys.</summary>
    public const string Keys = "/v1/keys";

    /// <summary>POST: hash data (no key).</summary>
    public const string Digest = "/v1/digest";

    /// <summary>POST: random bytes from the enclave.</summary>
    public const string Random = "/v1/random";

    /// <summary>GET <c>?nonce=</c> (base64url): evidence of the module's enclave binding the nonce. No credential needed.</summary>
    public const string Attestation = "/v1/attestation";

    /// <summary>GET <c>?nonce=</c> (base64url): the import public key with evidence binding it (tenant credential).</summary>
    public const string ImportParameters = "/v1/import-parameters";

    /// <summary>POST: import a key wrapped to the enclave's import key.</summary>
    public const string Import = "/v1/keys/import";

    /// <summary>GET: the tenant's audit records (newest first; <c>?limit=</c>).</summary>
    public const string Audit = "/v1/audit";

    /// <summary>GET: where the binary transport for key operations listens (<see cref="Binary.BinaryEndpointInfo"/>). No credential needed.</summary>
    public const string Transports = "/v1/transports";

    /// <summary>The OpenAPI document.</summary>
    public const string OpenApi = "/openapi/v1.json";

    /// <summary>The route of one key.</summary>
    public static string Key(string keyId) => $"{Keys}/{Uri.EscapeDataString(keyId)}";

    /// <summary>The route of an operation on one key (<c>sign</c>, <c>verify</c>, <c>encrypt</c>, <c>decrypt</c>, <c>mac</c>,
    /// <c>mac-verify</c>, <c>generate-data-key</c>, <c>rotate</c>, <c>import-version</c>, <c>disable</c>, <c>enable</c>).</summary>
    public static string KeyOperation(string keyId, string operation) => $"{Key(keyId)}/{operation}";
}
