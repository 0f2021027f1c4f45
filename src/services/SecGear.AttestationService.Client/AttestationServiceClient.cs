using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SecGear.AttestationService.Client;

/// <summary>
/// Typed client of the SecGear attestation service and key broker: the key-broker protocol of
/// <see cref="KeyBrokerClient"/> (challenge, attestation, sealed resources, sealing keys) plus the JWKS and the admin
/// API. Every operation is asynchronous and cancellable; a problem response becomes an
/// <see cref="AttestationServiceException"/> carrying the service's <see cref="ServiceErrorCodes"/> code, while a
/// contraindicated verdict is returned as an <see cref="AttestationResponse"/> like an affirming one. Response bodies
/// are read up to <see cref="AttestationServiceClientOptions.MaxResponseBytes"/>. Thread-safe (it holds no per-call state).
/// </summary>
public sealed class AttestationServiceClient : KeyBrokerClient
{
    private readonly string? _apiKey;
    private readonly string? _adminToken;

    /// <summary>
    /// Creates a client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> must be the
    /// service's base address (e.g. <c>http://127.0.0.1:5080/</c>). The client does not dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">The HttpClient has no absolute base address, or the options are out of range.</exception>
    public AttestationServiceClient(HttpClient httpClient, AttestationServiceClientOptions? options = null)
        : base(httpClient, (options ??= new AttestationServiceClientOptions()).MaxResponseBytes)
    {
        if (options.ApiKey is { } key && (key.Length == 0 || key.Any(char.IsControl)))
        {
            throw new ArgumentException("The API key must be non-empty and contain no control characters.", nameof(options));
        }

        if (options.AdminToken is { } token && (token.Length == 0 || token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw new ArgumentException("The admin token must be non-empty and contain no whitespace or control characters.", nameof(options));
        }

        if (options.ApiKey is not null && options.AdminToken is not null)
        {
            throw new ArgumentException("Set either an API key or an admin token, not both.", nameof(options));
        }

        _apiKey = options.ApiKey;
        _adminToken = options.AdminToken;
    }

    /// <summary><c>GET /.well-known/jwks.json</c>: the JSON Web Key Set that verifies attestation tokens offline.</summary>
    public Task<JsonElement> GetJsonWebKeySetAsync(CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Get, AttestationServiceRoutes.Jwks, null, RequestAccess.Public, cancellationToken);

    /// <summary>
    /// Admin: <c>PUT /policies/{id}</c>. <paramref name="expectedVersion"/>: null writes unconditionally, 0 creates only
    /// (<c>If-None-Match: *</c>), a positive version replaces only that version (<c>If-Match</c>); a mismatch throws
    /// <see cref="ServiceErrorCodes.VersionConflict"/>.
    /// </summary>
    public Task<PolicyDocument> PutPolicyAsync(string id, PolicyWriteRequest policy, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return SendAsync<PolicyDocument>(HttpMethod.Put, ItemPath(AttestationServiceRoutes.Policies, id), policy, Access.Admin(this, expectedVersion), cancellationToken);
    }

    /// <summary>Admin: <c>GET /policies/{id}</c>.</summary>
    public Task<PolicyDocument> GetPolicyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyDocument>(HttpMethod.Get, ItemPath(AttestationServiceRoutes.Policies, id), null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>GET /policies</c>.</summary>
    public Task<IReadOnlyList<PolicyDocument>> ListPoliciesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PolicyDocument>>(HttpMethod.Get, AttestationServiceRoutes.Policies, null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>DELETE /policies/{id}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeletePolicyAsync(string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ItemPath(AttestationServiceRoutes.Policies, id), null, Access.Admin(this, RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>Admin: <c>PUT /reference-values/{id}</c>; <paramref name="expectedVersion"/> as for <see cref="PutPolicyAsync"/>.</summary>
    public Task<ReferenceValueSet> PutReferenceValuesAsync(string id, ReferenceValueWriteRequest values, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return SendAsync<ReferenceValueSet>(HttpMethod.Put, ItemPath(AttestationServiceRoutes.ReferenceValues, id), values, Access.Admin(this, expectedVersion), cancellationToken);
    }

    /// <summary>Admin: <c>GET /reference-values/{id}</c>.</summary>
    public Task<ReferenceValueSet> GetReferenceValuesAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ReferenceValueSet>(HttpMethod.Get, ItemPath(AttestationServiceRoutes.ReferenceValues, id), null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>GET /reference-values</c>.</summary>
    public Task<IReadOnlyList<ReferenceValueSet>> ListReferenceValuesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ReferenceValueSet>>(HttpMethod.Get, AttestationServiceRoutes.ReferenceValues, null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>DELETE /reference-values/{id}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeleteReferenceValuesAsync(string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ItemPath(AttestationServiceRoutes.ReferenceValues, id), null, Access.Admin(this, RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>
    /// Admin: <c>PUT /resources/{repository}/{type}/{tag}</c> stores a secret and who may read it; the answer never
    /// contains the value. <paramref name="expectedVersion"/> as for <see cref="PutPolicyAsync"/>.
    /// </summary>
    public Task<ResourceInfo> PutResourceAsync(string repository, string type, string tag, ResourceWriteRequest resource, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        string path = AttestationServiceRoutes.Resource(repository, type, tag);
        return SendAsync<ResourceInfo>(HttpMethod.Put, path, resource, Access.Admin(this, expectedVersion, secret: resource.Value), cancellationToken);
    }

    /// <summary>Admin: <c>GET /resources</c>, what is stored (paths, versions, policies), never the values.</summary>
    public Task<IReadOnlyList<ResourceInfo>> ListResourcesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ResourceInfo>>(HttpMethod.Get, AttestationServiceRoutes.Resources, null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>DELETE /resources/{repository}/{type}/{tag}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeleteResourceAsync(string repository, string type, string tag, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, AttestationServiceRoutes.Resource(repository, type, tag), null, Access.Admin(this, RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>Admin: <c>GET /keys</c>, the token-signing keys (ids, states, activation and retirement times).</summary>
    public Task<SigningKeyStatus> GetSigningKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SigningKeyStatus>(HttpMethod.Get, AttestationServiceRoutes.Keys, null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>POST /keys/rotate</c>, a new token-signing key now (published at once, signing after the publish-ahead delay).</summary>
    public Task<SigningKeyStatus> RotateSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SigningKeyStatus>(HttpMethod.Post, AttestationServiceRoutes.KeyRotation, null, Access.Admin(this, null), cancellationToken);

    /// <summary>Admin: <c>GET /audit</c>, audited decisions newest first; null filters match anything.</summary>
    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(
        string? endpoint = null, string? verdict = null, string? tee = null, string? failureCode = null, long? beforeId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var query = new List<string> { "limit=" + limit.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, value) in new[] { ("endpoint", endpoint), ("verdict", verdict), ("tee", tee), ("failureCode", failureCode) })
        {
            if (value is not null)
            {
                query.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        if (beforeId is { } before)
        {
            query.Add("beforeId=" + before.ToString(CultureInfo.InvariantCulture));
        }

        return SendAsync<IReadOnlyList<AuditEvent>>(HttpMethod.Get, AttestationServiceRoutes.Audit + "?" + string.Join('&', query), null, Access.Admin(this, null), cancellationToken);
    }

    private static string ItemPath(string collection, string id)
    {
        // Ids travel in the URL path: the same character set as resource segments keeps them from escaping it.
        if (!ResourcePath.IsValidSegment(id))
        {
            throw new ArgumentException($"An id must be 1-{ResourcePath.MaxSegmentLength} characters of [A-Za-z0-9._-] and not '.' or '..'.", nameof(id));
        }

        return $"{collection}/{id}";
    }

    private static long? RequirePositive(long? expectedVersion) =>
        expectedVersion is null or > 0 ? expectedVersion : throw new ArgumentOutOfRangeException(nameof(expectedVersion), "A delete's expected version must be positive.");

    /// <summary>Admin credentials and the write conditions of one request.</summary>
    private sealed class Access : RequestAccess
    {
        private readonly AttestationServiceClient _client;
        private readonly long? _expectedVersion;

        private Access(AttestationServiceClient client, long? expectedVersion, byte[]? secret)
            : base(null)
        {
            _client = client;
            _expectedVersion = expectedVersion;
            if (secret is { Length: > 0 })
            {
                AddSecret(Convert.ToBase64String(secret));
            }

            if (client._apiKey is { } apiKey)
            {
                AddSecret(apiKey);
            }

            if (client._adminToken is { } adminToken)
            {
                AddSecret(adminToken);
            }
        }

        public static Access Admin(AttestationServiceClient client, long? expectedVersion, byte[]? secret = null)
        {
            if (expectedVersion is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(expectedVersion), "An expected version is 0 (create only) or positive.");
            }

            return new Access(client, expectedVersion, secret);
        }

        public override void Apply(HttpRequestMessage request)
        {
            if (_client._apiKey is { } apiKey)
            {
                request.Headers.Add(AttestationServiceRoutes.ApiKeyHeader, apiKey);
            }

            if (_client._adminToken is { } adminToken)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            }

            if (_expectedVersion == 0)
            {
                request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
            }
            else if (_expectedVersion is { } version)
            {
                request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version.ToString(CultureInfo.InvariantCulture)}\""));
            }
        }
    }
}
