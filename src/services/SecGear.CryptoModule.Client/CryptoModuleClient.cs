using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SecGear.Attestation;

namespace SecGear.CryptoModule.Client;

/// <summary>
/// Typed client of the crypto module's JSON API. Every refusal surfaces as a <see cref="CryptoModuleException"/> with
/// the module's problem code. Call <see cref="VerifyEnclaveAsync"/> first to check, against your policy, that the
/// module's keys live in the enclave you expect.
/// </summary>
public sealed partial class CryptoModuleClient
{
    /// <summary>Code of the exception thrown when the module cannot be reached or answers out of contract.</summary>
    public const string Unreachable = "Unreachable";

    /// <summary>Code of the exception thrown when the module's evidence fails verification.</summary>
    public const string EnclaveNotTrusted = "EnclaveNotTrusted";

    private readonly HttpClient _http;
    private readonly string? _adminKey;

    /// <summary>Creates a client on <paramref name="http"/> (its BaseAddress is the module URL).</summary>
    /// <param name="http">The HTTP client.</param>
    /// <param name="credential">The tenant credential (<c>tenant.secret</c>), for key operations.</param>
    /// <param name="adminKey">The administrator key, for tenant management.</param>
    public CryptoModuleClient(HttpClient http, string? credential = null, string? adminKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        Credential = credential;
        _adminKey = adminKey;
    }

    /// <summary>The tenant credential sent as <c>Authorization: Bearer</c>.</summary>
    public string? Credential { get; set; }

    /// <summary>Creates a tenant (admin); returns its credential.</summary>
    public Task<TenantCreated> CreateTenantAsync(string id, string? name = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.Tenants, new CreateTenantRequest(id, name), CryptoModuleJson.Default.CreateTenantRequest, CryptoModuleJson.Default.TenantCreated, cancellationToken);

    /// <summary>Creates a key generated inside the enclave.</summary>
    public Task<KeyInfo> CreateKeyAsync(KeySpec spec, KeyUsage usage, string? id = null, string? label = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.Keys, new CreateKeyRequest(spec, usage, id, label), CryptoModuleJson.Default.CreateKeyRequest, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>The tenant's keys.</summary>
    public Task<KeyList> ListKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, KeyList>(HttpMethod.Get, CryptoModuleRoutes.Keys, null, null, CryptoModuleJson.Default.KeyList, cancellationToken);

    /// <summary>One key's attributes.</summary>
    public Task<KeyInfo> GetKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object, KeyInfo>(HttpMethod.Get, CryptoModuleRoutes.Key(id), null, null, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>Adds a new primary version.</summary>
    public Task<KeyInfo> RotateKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object, KeyInfo>(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "rotate"), null, null, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>Disables a key.</summary>
    public Task<KeyInfo> DisableKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object, KeyInfo>(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "disable"), null, null, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>Enables a disabled key.</summary>
    public Task<KeyInfo> EnableKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object, KeyInfo>(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "enable"), null, null, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>Destroys a key for good.</summary>
    public Task DestroyKeyAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<object, object>(HttpMethod.Delete, CryptoModuleRoutes.Key(id), null, null, null, cancellationToken);

    /// <summary>Signs.</summary>
    public Task<SignResponse> SignAsync(string id, SignRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "sign"), request, CryptoModuleJson.Default.SignRequest, CryptoModuleJson.Default.SignResponse, cancellationToken);

    /// <summary>Verifies a signature.</summary>
    public Task<VerifyResponse> VerifyAsync(string id, VerifyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "verify"), request, CryptoModuleJson.Default.VerifyRequest, CryptoModuleJson.Default.VerifyResponse, cancellationToken);

    /// <summary>Encrypts.</summary>
    public Task<EncryptResponse> EncryptAsync(string id, EncryptRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "encrypt"), request, CryptoModuleJson.Default.EncryptRequest, CryptoModuleJson.Default.EncryptResponse, cancellationToken);

    /// <summary>Decrypts.</summary>
    public Task<DecryptResponse> DecryptAsync(string id, DecryptRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "decrypt"), request, CryptoModuleJson.Default.DecryptRequest, CryptoModuleJson.Default.DecryptResponse, cancellationToken);

    /// <summary>Computes a MAC.</summary>
    public Task<MacResponse> MacAsync(string id, MacRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "mac"), request, CryptoModuleJson.Default.MacRequest, CryptoModuleJson.Default.MacResponse, cancellationToken);

    /// <summary>Verifies a MAC.</summary>
    public Task<VerifyResponse> MacVerifyAsync(string id, MacVerifyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "mac-verify"), request, CryptoModuleJson.Default.MacVerifyRequest, CryptoModuleJson.Default.VerifyResponse, cancellationToken);

    /// <summary>Generates a data key (envelope encryption).</summary>
    public Task<DataKeyResponse> GenerateDataKeyAsync(string id, DataKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(id, "generate-data-key"), request, CryptoModuleJson.Default.DataKeyRequest, CryptoModuleJson.Default.DataKeyResponse, cancellationToken);

    /// <summary>Hashes data in the module.</summary>
    public Task<DigestResponse> DigestAsync(DigestRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.Digest, request, CryptoModuleJson.Default.DigestRequest, CryptoModuleJson.Default.DigestResponse, cancellationToken);

    /// <summary>Random bytes from the enclave.</summary>
    public Task<RandomResponse> RandomAsync(int length, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.Random, new RandomRequest(length), CryptoModuleJson.Default.RandomRequest, CryptoModuleJson.Default.RandomResponse, cancellationToken);

    /// <summary>The tenant's newest audit records.</summary>
    public Task<AuditList> GetAuditAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        SendAsync<object, AuditList>(HttpMethod.Get, $"{CryptoModuleRoutes.Audit}?limit={limit}", null, null, CryptoModuleJson.Default.AuditList, cancellationToken);

    /// <summary>
    /// Opens the binary transport for sign, verify, encrypt, decrypt and MAC (<see cref="CryptoModuleChannel"/>):
    /// much less CPU per operation than JSON over HTTP, and concurrent calls share requests. Needs <see cref="Credential"/>.
    /// </summary>
    /// <param name="connections">Persistent connections (1-16); two let one batch travel while the module runs another.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    public async Task<CryptoModuleChannel> OpenChannelAsync(int connections = 2, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(connections, 16);
        string credential = Credential ?? throw new InvalidOperationException("The binary transport needs the tenant credential.");
        var info = await SendAsync<object, Binary.BinaryEndpointInfo>(
            HttpMethod.Get, CryptoModuleRoutes.Transports, null, null, CryptoModuleJson.Default.BinaryEndpointInfo, cancellationToken).ConfigureAwait(false);
        if (info.BinaryPort is not (> 0 and <= 65535) || _http.BaseAddress is null)
        {
            throw new CryptoModuleException(0, Unreachable, "The module runs without the binary transport (CryptoModule:BinaryEndpoint is off).");
        }

        return await CryptoModuleChannel.ConnectAsync(_http.BaseAddress.Host, info.BinaryPort.Value, credential, connections, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the module for evidence of its enclave bound to a fresh random nonce, verifies it with
    /// <paramref name="verifier"/> against <paramref name="policy"/> (whose report-data expectation is set here), and
    /// returns the claims. Throws <see cref="CryptoModuleException"/> with <see cref="EnclaveNotTrusted"/> on failure.
    /// </summary>
    public async Task<AttestationClaims> VerifyEnclaveAsync(AttestationVerifier verifier, AttestationPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(policy);
        var (nonce, nonceText) = NewNonce();
        var attestation = await SendAsync<object, ModuleAttestation>(
            HttpMethod.Get, $"{CryptoModuleRoutes.Attestation}?nonce={nonceText}", null, null, CryptoModuleJson.Default.ModuleAttestation, cancellationToken).ConfigureAwait(false);
        return Verify(verifier, policy, attestation.Evidence, ModuleAttestation.ReportData(nonce, attestation.StoreKeyCheck));
    }

    /// <summary>A fresh 32-byte nonce and its base64url text for a query string.</summary>
    private static (byte[] Nonce, string Text) NewNonce()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        return (nonce, Convert.ToBase64String(nonce).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    /// <summary>Verifies evidence against the caller's policy with the report data it must carry; throws <see cref="EnclaveNotTrusted"/> otherwise.</summary>
    private static AttestationClaims Verify(AttestationVerifier verifier, AttestationPolicy policy, byte[] evidence, byte[] reportData)
    {
        var bound = new AttestationPolicy
        {
            AllowedUniqueIds = policy.AllowedUniqueIds,
            AllowedSignerIds = policy.AllowedSignerIds,
            AllowedProductIds = policy.AllowedProductIds,
            MinimumSecurityVersion = policy.MinimumSecurityVersion,
            AcceptedTcbStatuses = policy.AcceptedTcbStatuses,
            TcbBaselineDate = policy.TcbBaselineDate,
            AllowDebug = policy.AllowDebug,
            AllowSimulation = policy.AllowSimulation,
            AllowInProcess = policy.AllowInProcess,
            AllowedTees = policy.AllowedTees,
            RequireDeviceReferenceValues = policy.RequireDeviceReferenceValues,
            RequireDeviceRevocationChecked = policy.RequireDeviceRevocationChecked,
            ExpectedReportData = reportData,
        };
        AttestationResult result;
        try
        {
            result = verifier.Verify(Evidence.Detect(evidence), null, DateTimeOffset.UtcNow, bound);
        }
        catch (Exception ex) when (ex is ArgumentException or AttestationException)
        {
            throw new CryptoModuleException(0, EnclaveNotTrusted, $"The module's evidence is unreadable: {ex.Message}", ex);
        }

        return result.Failure is { } failure
            ? throw new CryptoModuleException(0, EnclaveNotTrusted, $"The module's enclave is not trusted: {failure.Code}: {failure.Message}")
            : result.Claims!;
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse>? responseType, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(method, path.TrimStart('/'));
        if (Credential is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential);
        }

        if (_adminKey is not null)
        {
            message.Headers.Add(CryptoModuleRoutes.AdminKeyHeader, _adminKey);
        }

        if (body is not null && requestType is not null)
        {
            message.Content = JsonContent.Create(body, requestType);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CryptoModuleException(0, Unreachable, $"The crypto module at {_http.BaseAddress} is unreachable: {ex.Message}", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                ProblemBody? problem = null;
                try
                {
                    problem = await response.Content.ReadFromJsonAsync(CryptoModuleJson.Default.ProblemBody, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException)
                {
                    // Not a problem body: report the status alone.
                }

                throw new CryptoModuleException((int)response.StatusCode, problem?.Code ?? Unreachable,
                    problem?.Detail ?? $"The module answered HTTP {(int)response.StatusCode} without a problem body.");
            }

            if (responseType is null)
            {
                return default!;
            }

            try
            {
                return await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("null body");
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException)
            {
                throw new CryptoModuleException((int)response.StatusCode, Unreachable, $"The module's answer does not match the contract: {ex.Message}", ex);
            }
        }
    }
}
