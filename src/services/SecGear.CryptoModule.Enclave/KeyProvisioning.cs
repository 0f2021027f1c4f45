using System.Security.Cryptography;
using System.Text;
using SecGear.AttestationService;
using SecGear.Trusted.Platform;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// How keys get into the enclave other than by generation, and how it proves itself: the store wrapping key released
/// by the attestation service's key broker (<see cref="EnclaveOp.BrokerBegin"/>, <see cref="EnclaveOp.BrokerInstall"/>),
/// key material imported wrapped to the store's import key (<see cref="EnclaveOp.ImportParameters"/>,
/// <see cref="EnclaveOp.ImportKey"/>), and module evidence whose report data the enclave computes itself
/// (<see cref="EnclaveOp.Attest"/>). Evidence comes from the enclave's own platform, so the binding is the enclave's.
/// </summary>
internal sealed class KeyProvisioning(KeyOperations operations, IAttestingPlatform? platform)
{
    /// <summary>Length of the store wrapping key the broker must release.</summary>
    public const int StoreKeyLength = 32;

    private ECDiffieHellman? _recipient;

    public (byte[] First, byte[] Second) Handle(in EnclaveRequest request) => request.Op switch
    {
        EnclaveOp.BrokerBegin => BrokerBegin(request.Data),
        EnclaveOp.BrokerInstall => BrokerInstall(request),
        EnclaveOp.ImportParameters => ImportParameters(request.Data),
        EnclaveOp.ImportKey => ImportKey(request),
        _ => Attest(request.Data),
    };

    private (byte[], byte[]) BrokerBegin(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length is 0 or > 256)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"a broker nonce of {nonce.Length} bytes (1-256 expected)");
        }

        var recipient = ResourceEnvelope.CreateRecipientKey();
        try
        {
            byte[] runtimeData = ResourceEnvelope.ExportRuntimeData(recipient);
            byte[] evidence = Evidence(ReportDataBinding.Compute(nonce, runtimeData));
            // One recipient key at a time, used once: a second begin replaces (and drops) the first.
            Interlocked.Exchange(ref _recipient, recipient)?.Dispose();
            return (runtimeData, evidence);
        }
        catch
        {
            recipient.Dispose();
            throw;
        }
    }

    private (byte[], byte[]) BrokerInstall(in EnclaveRequest request)
    {
        using var recipient = Interlocked.Exchange(ref _recipient, null)
            ?? throw new RefusalException(EnclaveStatus.InvalidInput, "no broker recipient key (BrokerBegin first; each key opens one release)");
        string path = Encoding.UTF8.GetString(request.KeyId);
        byte[] key;
        try
        {
            key = ResourceEnvelope.Open(recipient, Envelope(request), path.Length == 0 ? "-" : path);
        }
        catch (CryptographicException)
        {
            throw new RefusalException(EnclaveStatus.StoreKeyUnavailable, "the broker's envelope does not open with this enclave's recipient key for this resource path");
        }

        if (key.Length != StoreKeyLength)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new RefusalException(EnclaveStatus.StoreKeyUnavailable, $"the broker released {key.Length} bytes; a store key is {StoreKeyLength}");
        }

        return ([], operations.InstallStoreKey(key).CheckValue);
    }

    private (byte[], byte[]) ImportParameters(ReadOnlySpan<byte> nonce)
    {
        CheckNonce(nonce);
        byte[] publicKey = operations.StoreKey.ImportPublicKey;
        return (publicKey, Evidence(KeyImportParameters.ReportData(nonce, publicKey)));
    }

    private (byte[], byte[]) ImportKey(in EnclaveRequest request)
    {
        var storeKey = operations.StoreKey;
        KeyOperations.CheckSpecUsage(request.Spec, request.Usage);
        if (request.Version == 0)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, "an import creates version 1 or later, not 0");
        }

        // The version is in the wrap path, so material opens only as the version it was wrapped for.
        string path = KeyImportParameters.WrapPath(request.TenantText, Encoding.UTF8.GetString(request.KeyId), request.Spec, request.Usage, request.Version);
        byte[] material;
        using (var importKey = storeKey.CreateImportKey())
        {
            try
            {
                material = ResourceEnvelope.Open(importKey, Envelope(request), path);
            }
            catch (CryptographicException)
            {
                throw new RefusalException(EnclaveStatus.InvalidCiphertext,
                    "the wrapped key does not open with this store's import key for this tenant, key id, spec, usage and version");
            }
        }

        try
        {
            byte[] publicKey = ImportedKeys.Validate(request.Spec, material);
            return (storeKey.Wrap(material, request.KeyBinding()), publicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private (byte[], byte[]) Attest(ReadOnlySpan<byte> nonce)
    {
        CheckNonce(nonce);
        byte[] check = operations.StoreKey.CheckValue;
        return (Evidence(ModuleAttestation.ReportData(nonce, check)), check);
    }

    private byte[] Evidence(ReadOnlySpan<byte> reportData) =>
        (platform ?? throw new RefusalException(EnclaveStatus.NotAttestable, "this enclave's platform produces no attestation evidence")).GetEvidence(reportData);

    /// <summary>The envelope fields as the host relays them: ephemeral key in Aad, nonce in Iv, ciphertext in Data, tag in Extra.</summary>
    private static SealedResource Envelope(in EnclaveRequest request) =>
        new(ResourceEnvelope.Algorithm, request.Aad.ToArray(), request.Iv.ToArray(), request.Data.ToArray(), request.Extra.ToArray());

    private static void CheckNonce(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length is < 16 or > 64)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"a nonce of {nonce.Length} bytes (16-64 expected)");
        }
    }
}
