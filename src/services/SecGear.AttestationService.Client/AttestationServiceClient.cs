using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SecGear.AttestationService.Client;

/// <summary>
/// Typed client of the SecGear attestation service and key broker. Every operation is asynchronous and cancellable;
/// a problem response becomes an <see cref="AttestationServiceException"/> carrying the service's
/// <see cref="ServiceErrorCodes"/> code, while a contraindicated verdict is returned as an
/// <see cref="AttestationResponse"/> like an affirming one. Response bodies are read up to
/// <see cref="AttestationServiceClientOptions.MaxResponseBytes"/>. Thread-safe (it holds no per-call state).
/// </summary>
public sealed class AttestationServiceClient
{
    private const string ProblemMediaType = "application/problem+json";
    private const int MaxDetailLength = 512;

    private readonly HttpClient _http;
    private readonly string? _apiKey;
    private readonly string? _adminToken;
    private readonly int _maxResponseBytes;

    /// <summary>
    /// Creates a client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> must be the
    /// service's base address (e.g. <c>http://127.0.0.1:5080/</c>). The client does not dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">The HttpClient has no absolute base address, or the options are out of range.</exception>
    public AttestationServiceClient(HttpClient httpClient, AttestationServiceClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is not { IsAbsoluteUri: true })
        {
            throw new ArgumentException("The HttpClient needs an absolute BaseAddress (the service's URL).", nameof(httpClient));
        }

        options ??= new AttestationServiceClientOptions();
        if (options.MaxResponseBytes <= 0)
        {
            throw new ArgumentException("MaxResponseBytes must be positive.", nameof(options));
        }

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

        _http = httpClient;
        _apiKey = options.ApiKey;
        _adminToken = options.AdminToken;
        _maxResponseBytes = options.MaxResponseBytes;
    }

    /// <summary><c>POST /challenge</c>: a fresh single-use nonce, optionally tied to <paramref name="policyId"/>.</summary>
    public Task<ChallengeResponse> ChallengeAsync(string? policyId = null, CancellationToken cancellationToken = default) =>
        SendAsync<ChallengeResponse>(HttpMethod.Post, AttestationServiceRoutes.Challenge, new ChallengeRequest(policyId), Access.Public, cancellationToken);

    /// <summary>
    /// <c>POST /attestation</c>: the service's verdict on the evidence. Both verdicts are results
    /// (<see cref="AttestationResponse.Status"/>); only a request the service refuses to judge (unknown or expired
    /// challenge, unknown policy, malformed body) throws.
    /// </summary>
    public async Task<AttestationResponse> AttestAsync(AttestationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await SendAsync<AttestationResponse>(HttpMethod.Post, AttestationServiceRoutes.Attestation, request, Access.Public, cancellationToken).ConfigureAwait(false);
        if (response.Status is not (AttestationStatus.Affirming or AttestationStatus.Contraindicated)
            || (response.Status == AttestationStatus.Affirming && string.IsNullOrEmpty(response.Token)))
        {
            throw Unexpected(HttpStatusCode.OK, "the attestation response has no valid status, or an affirming one has no token");
        }

        if (response.PolicyId != request.PolicyId)
        {
            throw Unexpected(HttpStatusCode.OK, "the verdict is for another policy than the one requested");
        }

        return response;
    }

    /// <summary>
    /// <c>GET /resources/{repository}/{type}/{tag}</c> with an attestation token: the secret sealed to the runtime key
    /// bound in that token. Open it with <see cref="ResourceResponseExtensions.Open"/> (or
    /// <see cref="ResourceEnvelope.Open"/> inside the enclave).
    /// </summary>
    public async Task<ResourceResponse> GetResourceAsync(string repository, string type, string tag, string attestationToken, CancellationToken cancellationToken = default)
    {
        CheckToken(attestationToken);
        string path = AttestationServiceRoutes.Resource(repository, type, tag);
        var response = await SendAsync<ResourceResponse>(HttpMethod.Get, path, null, Access.Bearer(attestationToken), cancellationToken).ConfigureAwait(false);
        if (response.Envelope is null || response.Path != ResourcePath.Validate(repository, type, tag))
        {
            throw Unexpected(HttpStatusCode.OK, "the resource response is for another path or has no envelope");
        }

        return response;
    }

    /// <summary>
    /// <c>GET /sealing-keys/{policy}/{securityVersion}</c> with an attestation token: the sealing root the service
    /// derives for the identity the token attests, sealed to the token's runtime key (open it with
    /// <see cref="ResourceResponseExtensions.Open"/>; its path is <see cref="SealingKeyPolicies.EnvelopePath"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown policy, or a token with whitespace or control characters.</exception>
    public async Task<ResourceResponse> GetSealingKeyAsync(string policy, ushort securityVersion, string attestationToken, CancellationToken cancellationToken = default)
    {
        CheckToken(attestationToken);
        var response = await SendAsync<ResourceResponse>(HttpMethod.Get, AttestationServiceRoutes.SealingKey(policy, securityVersion), null, Access.Bearer(attestationToken), cancellationToken)
            .ConfigureAwait(false);
        if (response.Envelope is null || response.Path != SealingKeyPolicies.EnvelopePath(policy, securityVersion))
        {
            throw Unexpected(HttpStatusCode.OK, "the sealing-key response is for another policy or version, or has no envelope");
        }

        return response;
    }

    /// <summary><c>GET /.well-known/jwks.json</c>: the JSON Web Key Set that verifies attestation tokens offline.</summary>
    public Task<JsonElement> GetJsonWebKeySetAsync(CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Get, AttestationServiceRoutes.Jwks, null, Access.Public, cancellationToken);

    /// <summary>
    /// Admin: <c>PUT /policies/{id}</c>. <paramref name="expectedVersion"/>: null writes unconditionally, 0 creates only
    /// (<c>If-None-Match: *</c>), a positive version replaces only that version (<c>If-Match</c>); a mismatch throws
    /// <see cref="ServiceErrorCodes.VersionConflict"/>.
    /// </summary>
    public Task<PolicyDocument> PutPolicyAsync(string id, PolicyWriteRequest policy, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return SendAsync<PolicyDocument>(HttpMethod.Put, ItemPath(AttestationServiceRoutes.Policies, id), policy, Access.Admin(expectedVersion), cancellationToken);
    }

    /// <summary>Admin: <c>GET /policies/{id}</c>.</summary>
    public Task<PolicyDocument> GetPolicyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyDocument>(HttpMethod.Get, ItemPath(AttestationServiceRoutes.Policies, id), null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>GET /policies</c>.</summary>
    public Task<IReadOnlyList<PolicyDocument>> ListPoliciesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PolicyDocument>>(HttpMethod.Get, AttestationServiceRoutes.Policies, null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>DELETE /policies/{id}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeletePolicyAsync(string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ItemPath(AttestationServiceRoutes.Policies, id), null, Access.Admin(RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>Admin: <c>PUT /reference-values/{id}</c>; <paramref name="expectedVersion"/> as for <see cref="PutPolicyAsync"/>.</summary>
    public Task<ReferenceValueSet> PutReferenceValuesAsync(string id, ReferenceValueWriteRequest values, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return SendAsync<ReferenceValueSet>(HttpMethod.Put, ItemPath(AttestationServiceRoutes.ReferenceValues, id), values, Access.Admin(expectedVersion), cancellationToken);
    }

    /// <summary>Admin: <c>GET /reference-values/{id}</c>.</summary>
    public Task<ReferenceValueSet> GetReferenceValuesAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<ReferenceValueSet>(HttpMethod.Get, ItemPath(AttestationServiceRoutes.ReferenceValues, id), null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>GET /reference-values</c>.</summary>
    public Task<IReadOnlyList<ReferenceValueSet>> ListReferenceValuesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ReferenceValueSet>>(HttpMethod.Get, AttestationServiceRoutes.ReferenceValues, null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>DELETE /reference-values/{id}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeleteReferenceValuesAsync(string id, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ItemPath(AttestationServiceRoutes.ReferenceValues, id), null, Access.Admin(RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>
    /// Admin: <c>PUT /resources/{repository}/{type}/{tag}</c> stores a secret and who may read it; the answer never
    /// contains the value. <paramref name="expectedVersion"/> as for <see cref="PutPolicyAsync"/>.
    /// </summary>
    public Task<ResourceInfo> PutResourceAsync(string repository, string type, string tag, ResourceWriteRequest resource, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        string path = AttestationServiceRoutes.Resource(repository, type, tag);
        return SendAsync<ResourceInfo>(HttpMethod.Put, path, resource, Access.Admin(expectedVersion, secret: resource.Value), cancellationToken);
    }

    /// <summary>Admin: <c>GET /resources</c>, what is stored (paths, versions, policies), never the values.</summary>
    public Task<IReadOnlyList<ResourceInfo>> ListResourcesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ResourceInfo>>(HttpMethod.Get, AttestationServiceRoutes.Resources, null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>DELETE /resources/{repository}/{type}/{tag}</c>, only if at <paramref name="expectedVersion"/> when given.</summary>
    public Task DeleteResourceAsync(string repository, string type, string tag, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, AttestationServiceRoutes.Resource(repository, type, tag), null, Access.Admin(RequirePositive(expectedVersion)), cancellationToken);

    /// <summary>Admin: <c>GET /keys</c>, the token-signing keys (ids, states, activation and retirement times).</summary>
    public Task<SigningKeyStatus> GetSigningKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SigningKeyStatus>(HttpMethod.Get, AttestationServiceRoutes.Keys, null, Access.Admin(null), cancellationToken);

    /// <summary>Admin: <c>POST /keys/rotate</c>, a new token-signing key now (published at once, signing after the publish-ahead delay).</summary>
    public Task<SigningKeyStatus> RotateSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SigningKeyStatus>(HttpMethod.Post, AttestationServiceRoutes.KeyRotation, null, Access.Admin(null), cancellationToken);

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

        return SendAsync<IReadOnlyList<AuditEvent>>(HttpMethod.Get, AttestationServiceRoutes.Audit + "?" + string.Join('&', query), null, Access.Admin(null), cancellationToken);
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

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, Access access, CancellationToken cancellationToken)
    {
        var (status, bytes) = await ExchangeAsync(method, path, body, access, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, AttestationServiceJson.Options)
                ?? throw Unexpected(status, "the response body is JSON null");
        }
        catch (JsonException e)
        {
            throw Unexpected(status, $"the response body is not the expected JSON ({Redact(e.Message, access)})");
        }
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, Access access, CancellationToken cancellationToken) =>
        await ExchangeAsync(method, path, body, access, cancellationToken).ConfigureAwait(false);

    private async Task<(HttpStatusCode Status, byte[] Body)> ExchangeAsync(HttpMethod method, string path, object? body, Access access, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ProblemMediaType));
        if (body is not null)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), AttestationServiceJson.Options);
            request.Content = new ByteArrayContent(json);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        access.Apply(request, _apiKey, _adminToken);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AttestationServiceException(null, AttestationServiceClientErrors.ServiceUnreachable, $"The attestation service at {_http.BaseAddress} could not be reached", Redact(e.Message, access), innerException: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AttestationServiceException(null, AttestationServiceClientErrors.ServiceUnreachable, $"The attestation service at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", innerException: e);
        }

        using (response)
        {
            byte[] content = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem(response, content, access);
            }

            return (response.StatusCode, content);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is long declared && declared > _maxResponseBytes)
        {
            throw TooLarge(response.StatusCode, declared);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new ArrayBufferWriter<byte>();
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                int read;
                try
                {
                    read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new AttestationServiceException(response.StatusCode, AttestationServiceClientErrors.ServiceUnreachable, "The connection broke while the response was read", innerException: e);
                }

                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > _maxResponseBytes)
                {
                    throw TooLarge(response.StatusCode, null);
                }
            }
        }
    }

    private AttestationServiceException TooLarge(HttpStatusCode status, long? declared) =>
        new(status, AttestationServiceClientErrors.ResponseTooLarge,
            $"The response is larger than the client's limit of {_maxResponseBytes} bytes", declared is { } n ? $"it declares {n} bytes" : null);

    private static AttestationServiceException Problem(HttpResponseMessage response, byte[] content, Access access)
    {
        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };
        string? code = null, title = null, detail = null;
        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = StringMember(document.RootElement, ServiceErrorCodes.ProblemCodeMember);
                title = StringMember(document.RootElement, "title");
                detail = StringMember(document.RootElement, "detail");
            }
        }
        catch (JsonException)
        {
            // Not a problem body (e.g. a proxy's HTML page): reported below as an unexpected response.
        }

        if (code is null)
        {
            return new AttestationServiceException(response.StatusCode, AttestationServiceClientErrors.UnexpectedResponse,
                $"The service answered HTTP {(int)response.StatusCode} without a problem code", retryAfter: retryAfter);
        }

        return new AttestationServiceException(response.StatusCode, Clean(code, 64, access), Clean(title ?? response.ReasonPhrase ?? "Request failed", 200, access),
            detail is null ? null : Clean(detail, MaxDetailLength, access), retryAfter);
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static AttestationServiceException Unexpected(HttpStatusCode status, string detail) =>
        new(status, AttestationServiceClientErrors.UnexpectedResponse, "The service's response does not follow the contract", detail);

    /// <summary>Keeps server-supplied text printable and short, and removes any credential this request carried.</summary>
    private static string Clean(string text, int maxLength, Access access)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (char c in text)
        {
            if (builder.Length == maxLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return Redact(builder.ToString(), access);
    }

    private static string Redact(string text, Access access)
    {
        foreach (string secret in access.Secrets)
        {
            if (secret.Length >= 8)
            {
                text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The credentials and conditions of one request; also what must never appear in an error message.</summary>
    private sealed class Access
    {
        private readonly bool _admin;
        private readonly string? _bearer;
        private readonly long? _expectedVersion;
        private readonly List<string> _secrets = [];

        private Access(bool admin, string? bearer, long? expectedVersion, byte[]? secret)
        {
            _admin = admin;
            _bearer = bearer;
            _expectedVersion = expectedVersion;
            if (bearer is not null)
            {
                _secrets.Add(bearer);
            }

            if (secret is { Length: > 0 })
            {
                _secrets.Add(Convert.ToBase64String(secret));
            }
        }

        public static Access Public { get; } = new(false, null, null, null);

        public IReadOnlyList<string> Secrets => _secrets;

        public static Access Bearer(string token) => new(false, token, null, null);

        public static Access Admin(long? expectedVersion, byte[]? secret = null)
        {
            if (expectedVersion is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(expectedVersion), "An expected version is 0 (create only) or positive.");
            }

            return new Access(true, null, expectedVersion, secret);
        }

        public void Apply(HttpRequestMessage request, string? apiKey, string? adminToken)
        {
            if (_admin && apiKey is not null)
            {
                request.Headers.Add(AttestationServiceRoutes.ApiKeyHeader, apiKey);
                _secrets.Add(apiKey);
            }

            if (_admin && adminToken is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
                _secrets.Add(adminToken);
            }

            if (_bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
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

    private static void CheckToken(string attestationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(attestationToken);
        if (attestationToken.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException("An attestation token contains no whitespace or control characters.", nameof(attestationToken));
        }
    }
}
