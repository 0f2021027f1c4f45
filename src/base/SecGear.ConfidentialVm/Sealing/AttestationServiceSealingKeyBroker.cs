using System.Net;
using System.Security.Cryptography;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm.Sealing;

/// <summary>
/// Sealing roots from a SecGear attestation service (<c>GET /sealing-keys/{policy}/{securityVersion}</c>): a one-use
/// P-256 recipient key made here, evidence binding the service's nonce and that key, a token, and the root sealed to
/// the key and signed by the service. The root exists in plaintext only in the service and in this process (the
/// enclave's runner).
/// </summary>
/// <remarks>
/// The broker is authenticated twice: the URL must be HTTPS (the platform's certificate validation; plain HTTP only to
/// a loopback address, for tests), and the response must carry a signature by one of the service's token-signing keys
/// this runner pins (<see cref="SealingKeyResponseSignature"/>). Without the signature check an impostor on the path
/// could seal a root of its own choosing to the (public) recipient key, and the enclave would seal its data under it.
/// </remarks>
public sealed class AttestationServiceSealingKeyBroker : ISealingKeyBroker, IDisposable
{
    private readonly HttpClient _http;
    private readonly KeyBrokerClient _client;
    private readonly TokenSigningKeys _pinned;
    private readonly string _policyId;

    /// <summary>A broker at <paramref name="serviceUrl"/> that appraises under the policy <paramref name="policyId"/>.</summary>
    /// <param name="serviceUrl">The attestation service's base address: <c>https://</c>, or <c>http://</c> to a loopback address.</param>
    /// <param name="policyId">The appraisal policy the service applies; part of the root's derivation.</param>
    /// <param name="pinnedKeys">The service's token-signing keys; a root is accepted only when signed by one of them. The broker owns them.</param>
    /// <param name="handler">The HTTP handler (tests); null for a default one.</param>
    /// <param name="timeout">Per-request timeout; default 30 s.</param>
    /// <exception cref="ConfidentialVmConfigurationException">The URL is not HTTPS and not loopback HTTP.</exception>
    /// <exception cref="ArgumentException">The policy id is not an id.</exception>
    public AttestationServiceSealingKeyBroker(Uri serviceUrl, string policyId, TokenSigningKeys pinnedKeys, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ArgumentNullException.ThrowIfNull(pinnedKeys);
        ArgumentException.ThrowIfNullOrEmpty(policyId);
        RequireAuthenticatedTransport(serviceUrl);
        if (!ResourcePath.IsValidSegment(policyId))
        {
            throw new ArgumentException($"'{policyId}' is not a policy id (1-64 of [A-Za-z0-9._-]).", nameof(policyId));
        }

        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = new Uri(serviceUrl.ToString().TrimEnd('/') + "/");
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        _client = new KeyBrokerClient(_http);
        _pinned = pinnedKeys;
        _policyId = policyId;
        Description = $"attestation service {_http.BaseAddress} (policy {policyId}, pinned keys {string.Join(", ", pinnedKeys.KeyIds)})";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// The broker <see cref="ConfidentialVmEnvironment.KeyBroker"/>, <see cref="ConfidentialVmEnvironment.KeyBrokerPolicy"/>
    /// and <see cref="ConfidentialVmEnvironment.KeyBrokerKeys"/> describe, or null when no broker is set.
    /// </summary>
    /// <param name="lookup">Reads a variable; null for the process environment.</param>
    /// <exception cref="ConfidentialVmConfigurationException">A variable is missing or unusable; the message names it.</exception>
    public static AttestationServiceSealingKeyBroker? FromEnvironment(Func<string, string?>? lookup = null)
    {
        lookup ??= Environment.GetEnvironmentVariable;
        string? url = lookup(ConfidentialVmEnvironment.KeyBroker);
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBroker, url, "an absolute https:// URL of the attestation service is expected");
        }

        RequireAuthenticatedTransport(uri);
        string policy = lookup(ConfidentialVmEnvironment.KeyBrokerPolicy) is { Length: > 0 } p
            ? p
            : throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBrokerPolicy, null, $"the appraisal policy id is required with {ConfidentialVmEnvironment.KeyBroker}");
        if (!ResourcePath.IsValidSegment(policy))
        {
            throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBrokerPolicy, policy, "a policy id is 1-64 characters of [A-Za-z0-9._-]");
        }

        string keysPath = lookup(ConfidentialVmEnvironment.KeyBrokerKeys) is { Length: > 0 } k
            ? k
            : throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBrokerKeys, null,
                $"the path of the service's token-signing keys (its /.well-known/jwks.json, copied over a channel you trust) is required with {ConfidentialVmEnvironment.KeyBroker}, so the runner accepts sealing roots from that service only");
        TokenSigningKeys pinned;
        try
        {
            pinned = TokenSigningKeys.FromJwks(File.ReadAllBytes(keysPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBrokerKeys, keysPath, $"a readable JSON Web Key Set of EC P-256 keys is expected ({ex.Message})", ex);
        }

        return new AttestationServiceSealingKeyBroker(uri, policy, pinned);
    }

    /// <inheritdoc/>
    public byte[] GetSealingRoot(SealPolicy policy, ushort securityVersion, Func<byte[], byte[]> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        string name = policy switch
        {
            SealPolicy.Enclave => SealingKeyPolicies.Enclave,
            SealPolicy.Signer => SealingKeyPolicies.Signer,
            _ => throw new ArgumentException($"Unknown seal policy {(byte)policy}.", nameof(policy)),
        };

        // The trusted runtime's sealing API is synchronous; the pool thread keeps any caller's context out of the awaits.
        return Task.Run(() => FetchAsync(name, securityVersion, evidence)).GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _http.Dispose();
        _pinned.Dispose();
    }

    /// <summary>HTTPS, or HTTP to a loopback address (tests on one machine); anything else is refused.</summary>
    private static void RequireAuthenticatedTransport(Uri url)
    {
        bool loopback = url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && loopback))
        {
            throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.KeyBroker, url.ToString(),
                "the key broker must be reached over https:// (plain http:// only to a loopback address, for tests): a sealing root is worth no more than the channel that authenticates its sender");
        }
    }

    private async Task<byte[]> FetchAsync(string policy, ushort securityVersion, Func<byte[], byte[]> evidence)
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        try
        {
            var challenge = await _client.ChallengeAsync(_policyId).ConfigureAwait(false);
            byte[] runtimeData = ResourceEnvelope.ExportRuntimeData(recipient);
            byte[] bytes = evidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData));
            var verdict = await _client.AttestAsync(new AttestationRequest(challenge.SessionId, _policyId, bytes, RuntimeData: runtimeData)).ConfigureAwait(false);
            if (verdict.Status != AttestationStatus.Affirming || verdict.Token is null)
            {
                throw new SecGearException(EnclaveStatus.AttestationFailed,
                    $"The key broker ({Description}) does not trust this enclave, so it releases no sealing key: {verdict.Failure?.Code}: {verdict.Failure?.Message}");
            }

            var response = await _client.GetSealingKeyAsync(policy, securityVersion, verdict.Token).ConfigureAwait(false);
            if (!SealingKeyResponseSignature.TryVerify(response.Signature, response.Path, runtimeData, response.Envelope, _pinned, out string? forged))
            {
                throw new SecGearException(EnclaveStatus.AttestationFailed,
                    $"The '{policy}' sealing key from {_http.BaseAddress} is refused: {forged}. Only a root signed by a pinned token-signing key of the attestation service is used.");
            }

            byte[] root = ResourceEnvelope.Open(recipient, response.Envelope, response.Path);
            if (root.Length != SealingKeyPolicies.RootLength)
            {
                CryptographicOperations.ZeroMemory(root);
                throw new SecGearException(EnclaveStatus.AttestationFailed, $"The key broker ({Description}) released {root.Length} bytes; a sealing root is {SealingKeyPolicies.RootLength}.");
            }

            return root;
        }
        catch (AttestationServiceException ex)
        {
            throw new SecGearException(ex.IsUnreachable ? EnclaveStatus.ServiceRequestFailed : EnclaveStatus.AttestationFailed,
                $"The key broker ({Description}) released no '{policy}' sealing key: {ex.Code}: {ex.Detail ?? ex.Title}", ex);
        }
        catch (CryptographicException)
        {
            throw new SecGearException(EnclaveStatus.AttestationFailed, $"The key broker's ({Description}) sealing-key envelope does not open with this enclave's recipient key.");
        }
    }
}
