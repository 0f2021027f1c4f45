using System.Security.Cryptography;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm.Sealing;

/// <summary>
/// Sealing roots from a SecGear attestation service (<c>GET /sealing-keys/{policy}/{securityVersion}</c>): a one-use
/// P-256 recipient key made here, evidence binding the service's nonce and that key, a token, and the root sealed to
/// the key. The root exists in plaintext only in the service and in this process (the enclave's runner).
/// </summary>
/// <remarks>
/// The envelope is ECDH-ES to our key, so the network sees no root; but nothing authenticates the sender. Use HTTPS
/// (certificate checked by <see cref="HttpClient"/>) to the broker, or a network path the VM trusts: an impostor could
/// otherwise hand the enclave a root of its own choosing.
/// </remarks>
public sealed class AttestationServiceSealingKeyBroker : ISealingKeyBroker, IDisposable
{
    private readonly HttpClient _http;
    private readonly AttestationServiceClient _client;
    private readonly string _policyId;

    /// <summary>A broker at <paramref name="serviceUrl"/> that appraises under the policy <paramref name="policyId"/>.</summary>
    /// <param name="serviceUrl">The attestation service's base address.</param>
    /// <param name="policyId">The appraisal policy the service applies; part of the root's derivation.</param>
    /// <param name="handler">The HTTP handler (tests); null for a default one.</param>
    /// <param name="timeout">Per-request timeout; default 30 s.</param>
    public AttestationServiceSealingKeyBroker(Uri serviceUrl, string policyId, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ArgumentException.ThrowIfNullOrEmpty(policyId);
        if (!ResourcePath.IsValidSegment(policyId))
        {
            throw new ArgumentException($"'{policyId}' is not a policy id (1-64 of [A-Za-z0-9._-]).", nameof(policyId));
        }

        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = new Uri(serviceUrl.ToString().TrimEnd('/') + "/");
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
        _client = new AttestationServiceClient(_http);
        _policyId = policyId;
        Description = $"attestation service {_http.BaseAddress} (policy {policyId})";
    }

    /// <inheritdoc/>
    public string Description { get; }

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
            byte[] root = response.Open(recipient);
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

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
