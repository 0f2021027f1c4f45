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
        using var broker = rig.Broker();

        byte[] first = Key(Platform(Enclave, broker, vm: 0), policy);
        byte[] second = Key(Platform(Enclave, broker, vm: 1), policy);

        Assert.Equal(first, second);
        Assert.NotEqual(new byte[32], first);
    }

    [TestVectorFact]
    public async Task Another_measurement_gets_another_enclave_key_and_the_same_signer_key()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = rig.Broker();
        var other = Enclave with { Measurement = RandomNumberGenerator.GetBytes(32) };

        Assert.NotEqual(Key(Platform(Enclave, broker), SealPolicy.Enclave), Key(Platform(other, broker), SealPolicy.Enclave));
        Assert.Equal(Key(Platform(Enclave, broker), SealPolicy.Signer), Key(Platform(other, broker), SealPolicy.Signer));
    }

    [TestVectorFact]
    public async Task Another_signer_product_or_debug_flag_gets_another_signer_key()
    {
        await using var rig = await BrokerRig.StartAsync("""{"allowDebug": true}""");
        using var broker = rig.Broker();
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
        using var broker = rig.Broker();
        using var otherBroker = otherService.Broker();

        Assert.NotEqual(Key(Platform(Enclave, broker), SealPolicy.Enclave), Key(Platform(Enclave, otherBroker), SealPolicy.Enclave));
    }

    [TestVectorFact]
    public async Task An_older_security_version_key_is_derivable_and_differs_from_the_current_one()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var broker = rig.Broker();
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
        using var broker = rig.Broker();
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
        using var broker = rig.Broker();

        var ex = Assert.Throws<SecGearException>(() => Key(Platform(Enclave, broker), SealPolicy.Enclave));
        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
        Assert.Contains("PolicyUniqueIdNotAllowed", ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void An_unreachable_broker_is_a_typed_error()
    {
        using var broker = new AttestationServiceSealingKeyBroker(new Uri("http://127.0.0.1:1/"), BrokerRig.Policy, TokenSigningKeys.FromJwks(Jwks(ECDsa.Create(ECCurve.NamedCurves.nistP256))));

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

    [TestVectorTheory]
    [InlineData(Forgery.AnotherRootUnderTheServicesSignature)]
    [InlineData(Forgery.AnotherRootSignedByAnotherKey)]
    [InlineData(Forgery.AnotherRootUnsigned)]
    public async Task A_root_that_the_pinned_service_did_not_sign_is_refused(Forgery forgery)
    {
        await using var rig = await BrokerRig.StartAsync();
        using var impostor = new ImpostorHandler(forgery);
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy, TokenSigningKeys.FromJwks(await rig.JwksAsync()), impostor);

        var ex = Assert.Throws<SecGearException>(() => Key(Platform(Enclave, broker), SealPolicy.Enclave));

        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
        Assert.Contains("is refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains(forgery switch
        {
            Forgery.AnotherRootUnderTheServicesSignature => "another envelope",
            Forgery.AnotherRootSignedByAnotherKey => "not one of the pinned",
            _ => "not signed",
        }, ex.Message, StringComparison.Ordinal);
        Assert.True(impostor.Forged);
    }

    [TestVectorFact]
    public async Task A_genuine_root_passes_through_the_same_interposed_path()
    {
        await using var rig = await BrokerRig.StartAsync();
        using var passThrough = new ImpostorHandler(null);
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy, TokenSigningKeys.FromJwks(await rig.JwksAsync()), passThrough);
        using var direct = rig.Broker();

        Assert.Equal(Key(Platform(Enclave, direct), SealPolicy.Enclave), Key(Platform(Enclave, broker), SealPolicy.Enclave));
    }

    [TestVectorFact]
    public async Task A_broker_pinned_to_another_services_keys_gets_no_key()
    {
        await using var rig = await BrokerRig.StartAsync();
        await using var otherService = await BrokerRig.StartAsync();
        using var broker = new AttestationServiceSealingKeyBroker(rig.Url, BrokerRig.Policy, TokenSigningKeys.FromJwks(await otherService.JwksAsync()));

        var ex = Assert.Throws<SecGearException>(() => Key(Platform(Enclave, broker), SealPolicy.Enclave));
        Assert.Contains("not one of the pinned token-signing keys", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://broker.example:5080/")]
    [InlineData("http://10.0.0.5/")]
    [InlineData("ftp://127.0.0.1/")]
    public void A_broker_url_without_https_off_loopback_is_a_typed_error_naming_the_variable(string url)
    {
        var ex = Assert.Throws<ConfidentialVmConfigurationException>(() => AttestationServiceSealingKeyBroker.FromEnvironment(Variables(url, "/nonexistent")));

        Assert.Equal(ConfidentialVmEnvironment.KeyBroker, ex.Variable);
        Assert.Equal(url, ex.Value);
        Assert.Contains("https://", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://broker.example/")]
    [InlineData("http://127.0.0.1:5080/")]
    [InlineData("http://[::1]:5080/")]
    [InlineData("http://localhost:5080/")]
    public void Https_and_loopback_http_brokers_are_accepted(string url)
    {
        string jwks = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(jwks, Jwks(ECDsa.Create(ECCurve.NamedCurves.nistP256)));
            using var broker = AttestationServiceSealingKeyBroker.FromEnvironment(Variables(url, jwks));
            Assert.NotNull(broker);
        }
        finally
        {
            File.Delete(jwks);
        }
    }

    [Fact]
    public void A_broker_without_pinned_keys_is_a_typed_error_naming_the_variable()
    {
        var missing = Assert.Throws<ConfidentialVmConfigurationException>(() => AttestationServiceSealingKeyBroker.FromEnvironment(Variables("https://broker.example/", null)));
        Assert.Equal(ConfidentialVmEnvironment.KeyBrokerKeys, missing.Variable);
        Assert.Null(missing.Value);

        string notJwks = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notJwks, """{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}""");
            var bad = Assert.Throws<ConfidentialVmConfigurationException>(() => AttestationServiceSealingKeyBroker.FromEnvironment(Variables("https://broker.example/", notJwks)));
            Assert.Equal(ConfidentialVmEnvironment.KeyBrokerKeys, bad.Variable);
            Assert.Contains("not an EC P-256", bad.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notJwks);
        }

        Assert.Null(AttestationServiceSealingKeyBroker.FromEnvironment(_ => null));
    }

    public enum Forgery
    {
        AnotherRootUnderTheServicesSignature,
        AnotherRootSignedByAnotherKey,
        AnotherRootUnsigned,
    }

    private static Func<string, string?> Variables(string url, string? keys) => name => name switch
    {
        ConfidentialVmEnvironment.KeyBroker => url,
        ConfidentialVmEnvironment.KeyBrokerPolicy => BrokerRig.Policy,
        ConfidentialVmEnvironment.KeyBrokerKeys => keys,
        _ => null,
    };

    /// <summary>A JWKS holding <paramref name="key"/> with the service's kid convention.</summary>
    private static byte[] Jwks(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        string kid = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        return System.Text.Encoding.UTF8.GetBytes(
            $$"""{"keys":[{"kty":"EC","crv":"P-256","x":"{{System.Buffers.Text.Base64Url.EncodeToString(q.X)}}","y":"{{System.Buffers.Text.Base64Url.EncodeToString(q.Y)}}","kid":"{{kid}}"}]}""");
    }

    /// <summary>
    /// A party between the runner and the real service (the network, a proxy, DNS): it forwards everything, remembers
    /// the recipient key the runner binds, and replaces the sealing-key response with a root of its own sealed to that
    /// key, as <see cref="Forgery"/> says (null: forwards untouched).
    /// </summary>
    private sealed class ImpostorHandler(Forgery? forgery) : DelegatingHandler(new SocketsHttpHandler())
    {
        private byte[]? _recipient;

        public bool Forged { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && request.RequestUri!.AbsolutePath.EndsWith(AttestationServiceRoutes.Attestation, StringComparison.Ordinal))
            {
                var attest = System.Text.Json.JsonSerializer.Deserialize<AttestationRequest>(await request.Content.ReadAsByteArrayAsync(cancellationToken), AttestationServiceJson.Options);
                _recipient = attest!.RuntimeData;
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (forgery is not { } kind || !request.RequestUri!.AbsolutePath.Contains(AttestationServiceRoutes.SealingKeys, StringComparison.Ordinal) || !response.IsSuccessStatusCode)
            {
                return response;
            }

            var genuine = System.Text.Json.JsonSerializer.Deserialize<ResourceResponse>(await response.Content.ReadAsByteArrayAsync(cancellationToken), AttestationServiceJson.Options)!;
            var envelope = ResourceEnvelope.Seal(_recipient, RandomNumberGenerator.GetBytes(SealingKeyPolicies.RootLength), genuine.Path);
            string? signature = kind switch
            {
                Forgery.AnotherRootUnderTheServicesSignature => genuine.Signature,
                Forgery.AnotherRootSignedByAnotherKey => SignWithOwnKey(SealingKeyResponseSignature.Payload(genuine.Path, _recipient, envelope)),
                _ => null,
            };
            Forged = true;
            response.Content = System.Net.Http.Json.JsonContent.Create(new ResourceResponse(genuine.Path, envelope, signature), options: AttestationServiceJson.Options);
            return response;
        }

        /// <summary>A well-formed ES256 JWS by a key of the impostor's own.</summary>
        private static string SignWithOwnKey(string payload)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            string kid = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
            string signingInput = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{kid}}"}"""))
                + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload));
            byte[] signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return signingInput + "." + System.Buffers.Text.Base64Url.EncodeToString(signature);
        }
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
