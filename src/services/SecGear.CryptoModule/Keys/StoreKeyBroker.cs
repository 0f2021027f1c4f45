using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Keys;

/// <summary>
/// Gets the store wrapping key from the attestation service's key broker into the enclave. The service host only
/// relays: a nonce in, evidence and the enclave's one-use recipient public key out, a token, and the envelope sealed to
/// that recipient key back in. The key exists in plaintext only in the broker and inside the enclave.
/// </summary>
public static class StoreKeyBroker
{
    /// <summary>Runs the flow; returns the installed key's check value.</summary>
    /// <exception cref="InvalidOperationException">The broker refused (the message names its code), or the enclave did not accept the release.</exception>
    public static async Task<byte[]> InstallAsync(ModuleEnclave enclave, KeyBrokerOptions options, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enclave);
        ArgumentNullException.ThrowIfNull(options);
        string[] path = options.Resource.Split('/');
        if (path.Length != 3 || !path.All(ResourcePath.IsValidSegment))
        {
            throw new InvalidOperationException($"CryptoModule:KeyBroker:Resource '{options.Resource}' is not repository/type/tag.");
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = new Uri(options.Url!.TrimEnd('/') + "/");
        http.Timeout = options.Timeout;
        var broker = new AttestationServiceClient(http);
        try
        {
            var challenge = await broker.ChallengeAsync(options.Policy, cancellationToken).ConfigureAwait(false);
            var (recipient, evidence) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.BrokerBegin, Data = challenge.Nonce });
            var verdict = await broker.AttestAsync(new AttestationRequest(challenge.SessionId, options.Policy, evidence, RuntimeData: recipient), cancellationToken).ConfigureAwait(false);
            if (verdict.Status != AttestationStatus.Affirming || verdict.Token is null)
            {
                throw new InvalidOperationException(
                    $"The key broker at {http.BaseAddress} does not trust this enclave ({enclave.Identity.MeasurementHex}): {verdict.Failure?.Code}: {verdict.Failure?.Message}");
            }

            var resource = await broker.GetResourceAsync(path[0], path[1], path[2], verdict.Token, cancellationToken).ConfigureAwait(false);
            var envelope = resource.Envelope;
            var (_, check) = enclave.Call(new EnclaveRequest
            {
                Op = EnclaveOp.BrokerInstall,
                KeyId = System.Text.Encoding.UTF8.GetBytes(resource.Path),
                Aad = envelope.EphemeralKey,
                Iv = envelope.Nonce,
                Data = envelope.Ciphertext,
                Extra = envelope.Tag,
            });
            return check;
        }
        catch (AttestationServiceException ex)
        {
            throw new InvalidOperationException(
                $"The key broker at {http.BaseAddress} did not release {options.Resource} to this enclave ({enclave.Identity.MeasurementHex}): {ex.Code}: {ex.Detail ?? ex.Title}", ex);
        }
        catch (CryptoProblemException ex)
        {
            throw new InvalidOperationException($"The enclave did not accept the key broker's release of {options.Resource}: {ex.Message}", ex);
        }
    }
}
