using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SecGear.AttestationService.Client;

/// <summary>
/// The key-broker part of the attestation service's protocol, for code below the service layer (the confidential-VM
/// runner's sealing by attestation) and as the transport of the full <c>AttestationServiceClient</c>: challenge,
/// attestation, sealed resources and sealing keys. A problem response becomes an
/// <see cref="AttestationServiceException"/> carrying the service's <see cref="ServiceErrorCodes"/> code; a
/// contraindicated verdict is returned like an affirming one. Response bodies are read up to
/// <see cref="MaxResponseBytes"/>. Thread-safe (it holds no per-call state).
/// </summary>
public class KeyBrokerClient
{
    /// <summary>The default <see cref="MaxResponseBytes"/>: 4 MiB (a list of many policies, or claims with certificates).</summary>
    public const int DefaultMaxResponseBytes = 4 << 20;

    private const string ProblemMediaType = "application/problem+json";
    private const int MaxDetailLength = 512;

    private readonly HttpClient _http;

    /// <summary>
    /// Creates a client over <paramref name="httpClient"/>, whose <see cref="HttpClient.BaseAddress"/> must be the
    /// service's base address (e.g. <c>https://as.example:5080/</c>). The client does not dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">The HttpClient has no absolute base address, or the limit is not positive.</exception>
    public KeyBrokerClient(HttpClient httpClient, int maxResponseBytes = DefaultMaxResponseBytes)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is not { IsAbsoluteUri: true })
        {
            throw new ArgumentException("The HttpClient needs an absolute BaseAddress (the service's URL).", nameof(httpClient));
        }

        if (maxResponseBytes <= 0)
        {
            throw new ArgumentException("MaxResponseBytes must be positive.", nameof(maxResponseBytes));
        }

        _http = httpClient;
        MaxResponseBytes = maxResponseBytes;
    }

    /// <summary>Largest response body read; a larger one fails with <see cref="AttestationServiceClientErrors.ResponseTooLarge"/>.</summary>
    public int MaxResponseBytes { get; }

    /// <summary><c>POST /challenge</c>: a fresh single-use nonce, optionally tied to <paramref name="policyId"/>.</summary>
    public Task<ChallengeResponse> ChallengeAsync(string? policyId = null, CancellationToken cancellationToken = default) =>
        SendAsync<ChallengeResponse>(HttpMethod.Post, AttestationServiceRoutes.Challenge, new ChallengeRequest(policyId), RequestAccess.Public, cancellationToken);

    /// <summary>
    /// <c>POST /attestation</c>: the service's verdict on the evidence. Both verdicts are results
    /// (<see cref="AttestationResponse.Status"/>); only a request the service refuses to judge (unknown or expired
    /// challenge, unknown policy, malformed body) throws.
    /// </summary>
    public async Task<AttestationResponse> AttestAsync(AttestationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await SendAsync<AttestationResponse>(HttpMethod.Post, AttestationServiceRoutes.Attestation, request, RequestAccess.Public, cancellationToken).ConfigureAwait(false);
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
    /// bound in that token. Open it with <see cref="ResourceEnvelope.Open"/> (the path is <see cref="ResourceResponse.Path"/>).
    /// </summary>
    public async Task<ResourceResponse> GetResourceAsync(string repository, string type, string tag, string attestationToken, CancellationToken cancellationToken = default)
    {
        CheckToken(attestationToken);
        string path = AttestationServiceRoutes.Resource(repository, type, tag);
        var response = await SendAsync<ResourceResponse>(HttpMethod.Get, path, null, RequestAccess.Bearer(attestationToken), cancellationToken).ConfigureAwait(false);
        if (response.Envelope is null || response.Path != ResourcePath.Validate(repository, type, tag))
        {
            throw Unexpected(HttpStatusCode.OK, "the resource response is for another path or has no envelope");
        }

        return response;
    }

    /// <summary>
    /// <c>GET /sealing-keys/{policy}/{securityVersion}</c> with an attestation token: the sealing root the service
    /// derives for the identity the token attests, sealed to the token's runtime key (its path is
    /// <see cref="SealingKeyPolicies.EnvelopePath"/>) and signed by the service (<see cref="SealingKeyResponseSignature"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown policy, or a token with whitespace or control characters.</exception>
    public async Task<ResourceResponse> GetSealingKeyAsync(string policy, ushort securityVersion, string attestationToken, CancellationToken cancellationToken = default)
    {
        CheckToken(attestationToken);
        var response = await SendAsync<ResourceResponse>(HttpMethod.Get, AttestationServiceRoutes.SealingKey(policy, securityVersion), null, RequestAccess.Bearer(attestationToken), cancellationToken)
            .ConfigureAwait(false);
        if (response.Envelope is null || response.Path != SealingKeyPolicies.EnvelopePath(policy, securityVersion))
        {
            throw Unexpected(HttpStatusCode.OK, "the sealing-key response is for another policy or version, or has no envelope");
        }

        return response;
    }

    /// <summary>Sends one request and reads its JSON answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="AttestationServiceException">A problem answer, an unreachable service, or an answer off the contract.</exception>
    protected async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, RequestAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
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

    /// <summary>Sends one request whose answer has no body of interest.</summary>
    /// <exception cref="AttestationServiceException">A problem answer or an unreachable service.</exception>
    protected async Task SendAsync(HttpMethod method, string path, object? body, RequestAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        await ExchangeAsync(method, path, body, access, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The error for an answer the contract does not allow.</summary>
    protected static AttestationServiceException Unexpected(HttpStatusCode status, string detail) =>
        new(status, AttestationServiceClientErrors.UnexpectedResponse, "The service's response does not follow the contract", detail);

    /// <summary>Refuses a token that could not travel in an <c>Authorization</c> header.</summary>
    /// <exception cref="ArgumentException">Empty, or whitespace or control characters.</exception>
    protected static void CheckToken(string attestationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(attestationToken);
        if (attestationToken.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException("An attestation token contains no whitespace or control characters.", nameof(attestationToken));
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> ExchangeAsync(HttpMethod method, string path, object? body, RequestAccess access, CancellationToken cancellationToken)
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

        access.Apply(request);
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
        if (response.Content.Headers.ContentLength is long declared && declared > MaxResponseBytes)
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
                if (buffer.WrittenCount > MaxResponseBytes)
                {
                    throw TooLarge(response.StatusCode, null);
                }
            }
        }
    }

    private AttestationServiceException TooLarge(HttpStatusCode status, long? declared) =>
        new(status, AttestationServiceClientErrors.ResponseTooLarge,
            $"The response is larger than the client's limit of {MaxResponseBytes} bytes", declared is { } n ? $"it declares {n} bytes" : null);

    private static AttestationServiceException Problem(HttpResponseMessage response, byte[] content, RequestAccess access)
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

    /// <summary>Keeps server-supplied text printable and short, and removes any credential this request carried.</summary>
    private static string Clean(string text, int maxLength, RequestAccess access)
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

    private static string Redact(string text, RequestAccess access)
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

    /// <summary>The credentials of one request; also what must never appear in an error message.</summary>
    protected class RequestAccess
    {
        private readonly List<string> _secrets = [];
        private readonly string? _bearer;

        /// <summary>Access with <paramref name="bearer"/> as <c>Authorization: Bearer</c> (null: none).</summary>
        protected RequestAccess(string? bearer)
        {
            _bearer = bearer;
            if (bearer is not null)
            {
                _secrets.Add(bearer);
            }
        }

        /// <summary>No credentials.</summary>
        public static RequestAccess Public { get; } = new(null);

        /// <summary>Values to remove from any text of an error (credentials and secrets sent).</summary>
        public IReadOnlyList<string> Secrets => _secrets;

        /// <summary>An attestation token as bearer.</summary>
        public static RequestAccess Bearer(string token) => new(token);

        /// <summary>Adds a value that must never appear in an error message.</summary>
        protected void AddSecret(string secret) => _secrets.Add(secret);

        /// <summary>Puts the credentials on <paramref name="request"/>.</summary>
        public virtual void Apply(HttpRequestMessage request)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (_bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
            }
        }
    }
}
