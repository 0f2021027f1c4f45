using System.Security.Cryptography;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Sealing;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// Sealing by attestation on TDX: the enclave's platform attests to a real in-process attestation service with
/// evidence from the emulated configfs-tsm, and derives its sealing keys from the root the broker releases for the
/// attested identity.
/// </summary>
public sealed class SealingByAttestationTests
{
    private static readonly byte[] KeyId = RandomNumberGenerator.GetBytes(SealKeyRequest.KeyIdLength);
    private static readonly EnclaveIdentity Enclave = new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 7, 3, false);

    /// <summary>A TDX VM: the TDX-1 recording with REPORTDATA patched, its MRTD changed by <paramref name="vm"/> so each VM has its own launch measurement.</summary>
    private static ConfidentialVmPlatform Platform(EnclaveIdentity identity, ISealingKeyBroker? broker, byte vm = 0, bool patch = true)
    {
        byte[] quote = TestVectors.Read(Recordings.TdxQuote);
        quote[184] ^= vm;
        var report = new EmulatedTsmReport { Provider = TsmProviders.Tdx, Outblob = quote, PatchReportData = patch };
        var tree = new EmulatedConfigFsTsm(ConfidentialVmDetection.EmulatedReportRoot, report);
        var tsm = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = ConfidentialVmDetection.EmulatedReportRoot }, tree);
        return new ConfidentialVmPlatform(identity, new ConfigFsTsmEvidenceSource(tsm), keyBroker: broker);
    }

    private static byte[] Key(ConfidentialVmPlatform platform, SealPolicy policy, ushort securityVersion = 3)
    {
        var key = new byte[SealKeyRequest.KeyLength];
        platform.DeriveSealKey(new SealKeyRequest(policy, securityVersion, KeyId), key);
        return key;
    }

    [TestVectorTheory]
    [InlineData(SealPolicy.Enclave)]
    [InlineData(SealPolicy.Signer)]
    public async Task The_same_enclave_on_another_tdx_vm_gets_the_same_key_from_the_broker(SealPolicy policy)
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);

        byte[] first = Key(Platform(Enclave, broker, vm: 0), policy);
        byte[] second = Key(Platform(Enclave, broker, vm: 1), policy);

        Assert.Equal(first, second);
        Assert.NotEqual(new byte[32], first);
    }

    [TestVectorFact]
    public async Task Another_measurement_gets_another_enclave_key_and_the_same_signer_key()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);
        var other = Enclave with { Measurement = RandomNumberGenerator.GetBytes(32) };

        Assert.NotEqual(Key(Platform(Enclave, broker), SealPolicy.Enclave), Key(Platform(other, broker), SealPolicy.Enclave));
        Assert.Equal(Key(Platform(Enclave, broker), SealPolicy.Signer), Key(Platform(other, broker), SealPolicy.Signer));
    }

    [TestVectorFact]
    public async Task Another_signer_product_or_debug_flag_gets_another_signer_key()
    {
        await using var rig = await BrokerRig.StartAsync("""{"allowDebug": true}""");
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);
        byte[] baseline = Key(Platform(Enclave, broker), SealPolicy.Signer);

        Assert.NotEqual(baseline, Key(Platform(Enclave with { Signer = RandomNumberGenerator.GetBytes(32) }, broker), SealPolicy.Signer));
        Assert.NotEqual(baseline, Key(Platform(Enclave with { ProductId = 8 }, broker), SealPolicy.Signer));
        Assert.NotEqual(baseline, Key(Platform(Enclave with { Debug = true }, broker), SealPolicy.Signer));
    }

    [TestVectorFact]
    public async Task Another_service_master_key_gives_another_key()
    {
        await using var rig = await BrokerRig.StartAsync();
        await using var otherService = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);
        using var otherBroker = new AttestationServiceSealingKeyBroker(otherService.Url, BrokerRig.Policy);

        Assert.NotEqual(Key(Platform(Enclave, broker), SealPolicy.Enclave), Key(Platform(Enclave, otherBroker), SealPolicy.Enclave));
    }

    [TestVectorFact]
    public async Task An_older_security_version_key_is_derivable_and_differs_from_the_current_one()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);
        var platform = Platform(Enclave, broker);

        Assert.NotEqual(Key(platform, SealPolicy.Signer, 3), Key(platform, SealPolicy.Signer, 2));
        Assert.Throws<ArgumentException>(() => Key(platform, SealPolicy.Signer, 4));
    }

    [TestVectorFact]
    public async Task The_service_refuses_a_root_for_a_security_version_above_the_attested_one()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(rig.Service.Url + "/") };
        var client = new AttestationServiceClient(http);
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        byte[] runtimeData = ResourceEnvelope.ExportRuntimeData(recipient);
        var challenge = await client.ChallengeAsync(BrokerRig.Policy);
        byte[] evidence = Platform(Enclave, null).GetEvidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData));
        var verdict = await client.AttestAsync(new AttestationRequest(challenge.SessionId, BrokerRig.Policy, evidence, RuntimeData: runtimeData));
        Assert.Equal(AttestationStatus.Affirming, verdict.Status);

        var refused = await Assert.ThrowsAsync<AttestationServiceException>(() => client.GetSealingKeyAsync(SealingKeyPolicies.Enclave, 4, verdict.Token!));
        Assert.Equal(ServiceErrorCodes.ResourcePolicyUnsatisfied, refused.Code);
        Assert.Equal(32, (await client.GetSealingKeyAsync(SealingKeyPolicies.Enclave, 3, verdict.Token!)).Open(recipient).Length);
    }

    [TestVectorFact]
    public async Task Evidence_whose_binding_does_not_match_gets_no_key()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);
        // The recording served byte for byte: its REPORTDATA is not this enclave's binding.
        var platform = Platform(Enclave, broker, patch: false);

        var ex = Assert.Throws<SecGearException>(() => Key(platform, SealPolicy.Enclave));
        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
        Assert.Contains("EnclaveBindingMismatch", ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public async Task A_policy_the_enclave_does_not_satisfy_gets_no_key()
    {
        await using var rig = await BrokerRig.StartAsync($$"""{"allowedUniqueIds": ["{{new string('0', 64)}}"]}""");
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy);

        var ex = Assert.Throws<SecGearException>(() => Key(Platform(Enclave, broker), SealPolicy.Enclave));
        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
        Assert.Contains("PolicyUniqueIdNotAllowed", ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void An_unreachable_broker_is_a_typed_error()
    {
        using var broker = new AttestationServiceSealingKeyBroker(new Uri("http://127.0.0.1:1/"), BrokerRig.Policy);

        var ex = Assert.Throws<SecGearException>(() => Key(Platform(Enclave, broker), SealPolicy.Enclave));
        Assert.Equal(EnclaveStatus.ServiceRequestFailed, ex.Status);
    }

    [TestVectorFact]
    public void Without_a_broker_tdx_sealing_says_how_to_configure_one()
    {
        var ex = Assert.Throws<EnclaveNotSupportedException>(() => Key(Platform(Enclave, null), SealPolicy.Enclave));
        Assert.Contains(ConfidentialVmEnvironment.KeyBroker, ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void The_root_is_fetched_once_per_policy_and_version()
    {
        var broker = new CountingBroker();
        var platform = Platform(Enclave, broker);

        Key(platform, SealPolicy.Enclave);
        Key(platform, SealPolicy.Enclave);
        Key(platform, SealPolicy.Signer);
        Key(platform, SealPolicy.Signer, 2);

        Assert.Equal(3, broker.Calls);
    }

    private sealed class CountingBroker : ISealingKeyBroker
    {
        public int Calls { get; private set; }

        public string Description => "counting";

        public byte[] GetSealingRoot(SealPolicy policy, ushort securityVersion, Func<byte[], byte[]> evidence)
        {
            Calls++;
            return new byte[32];
        }
    }
}
