using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Runtime;

namespace SecGear.Host.Tests;

/// <summary>The trusted runtime's system calls (evidence) over the real boundary of each engine.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SystemCallTests(TestImages images) : IDisposable
{
    private readonly string _secretDir = Directory.CreateTempSubdirectory("secgear-syscall-").FullName;

    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    private EnclaveOptions Options => new() { PlatformSecretPath = Path.Combine(_secretDir, "platform.secret") };

    [Theory]
    [MemberData(nameof(Engines))]
    public void GetEvidence_returns_evidence_signed_by_the_platform_for_the_enclave_identity_and_report_data(EnclaveType type)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(64);
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);

        byte[] bytes = enclave.GetEvidence(nonce);

        Assert.True(SimulationEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(enclave.Identity.Measurement, evidence.Measurement.ToArray());
        Assert.Equal(enclave.Identity.Signer, evidence.Signer.ToArray());
        Assert.Equal(HostReportData.Derive(nonce), evidence.ReportData.ToArray());
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(SimulatedAttestationAuthority.CaCertificatePath(Options.PlatformSecretPath!)));
        Assert.Equal(ca.RawData, evidence.CaCertificate.ToArray());
        byte[] body = new byte[SimulationEvidence.SignedLength];
        evidence.WriteSignedBody(body);
        using var key = X509CertificateLoader.LoadCertificate(evidence.AttestationKeyCertificate.ToArray()).GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(body, evidence.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Evidence_says_in_process_exactly_when_the_enclave_runs_in_the_host_process(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);

        Assert.True(SimulationEvidence.TryParse(enclave.GetEvidence([]), out var evidence, out var error), error);
        Assert.Equal(type == EnclaveType.InProcess, evidence.InProcess);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task GetEvidenceAsync_zero_pads_short_report_data(EnclaveType type)
    {
        await using Enclave enclave = await Enclave.CreateAsync(images.Main, type, options: Options);

        byte[] bytes = await enclave.GetEvidenceAsync(new byte[] { 1, 2, 3 });

        Assert.True(SimulationEvidence.TryParse(bytes, out var evidence, out var error), error);
        byte[] padded = new byte[64];
        padded[0] = 1;
        padded[1] = 2;
        padded[2] = 3;
        Assert.Equal(HostReportData.Derive(padded), evidence.ReportData.ToArray());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Host_requested_evidence_never_binds_the_hosts_bytes_as_they_are_so_a_host_cannot_pass_off_its_own_key(EnclaveType type)
    {
        // The attack: a host binds the hash of a key it holds, then presents genuine evidence to a key broker.
        using var hostKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] keyHash = SHA256.HashData(hostKey.ExportSubjectPublicKeyInfo());
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);

        Assert.True(SimulationEvidence.TryParse(enclave.GetEvidence(keyHash), out var evidence, out var error), error);

        Assert.False(evidence.ReportData.Span.StartsWith(keyHash));
        Assert.Equal(HostReportData.Derive(keyHash), evidence.ReportData.ToArray());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void GetEvidence_refuses_report_data_longer_than_64_bytes_on_the_host(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);

        Assert.Throws<ArgumentException>(() => enclave.GetEvidence(new byte[65]));
        Assert.Throws<ArgumentException>(() => { _ = enclave.GetEvidenceAsync(new byte[65]); });
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_hostile_host_sending_65_bytes_of_report_data_is_refused_by_the_enclave_which_stays_usable(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);
        var engine = (ISystemCallInstance)enclave.Instance;

        var ex = Assert.Throws<MarshalException>(() => engine.SystemCall(EnclaveSystemCall.GetEvidence, new byte[65], new ArrayBufferWriter<byte>()));

        Assert.Contains("64", ex.Message, StringComparison.Ordinal);
        Assert.True(SimulationEvidence.LooksLike(enclave.GetEvidence([])));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_unknown_system_call_id_is_refused(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: Options);
        var engine = (ISystemCallInstance)enclave.Instance;

        Assert.Throws<CallNotAllowedException>(() => engine.SystemCall((EnclaveSystemCall)77, [], new ArrayBufferWriter<byte>()));
        Assert.True(SimulationEvidence.LooksLike(enclave.GetEvidence([])));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void GetEvidence_from_an_OCALL_handler_runs_nested_on_the_calling_enclave_thread(EnclaveType type)
    {
        // One enclave thread: the nested system call can only be served by the thread whose OCALL is in progress.
        using Enclave enclave = Enclave.Create(images.SingleThread, type, options: Options);
        var ocalls = new TestOcalls();
        var client = new TestClient(enclave, ocalls);
        byte[]? nested = null;
        ocalls.DuringWhereAmI = () => nested = enclave.GetEvidence("nested"u8);

        client.HostThreadViaOcall();

        Assert.True(SimulationEvidence.TryParse(nested, out var evidence, out var error), error);
        Assert.Equal(HostReportData.Derive("nested"u8), evidence.ReportData.ToArray());
        Assert.True(SimulationEvidence.LooksLike(enclave.GetEvidence([])));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Concurrent_GetEvidence_calls_each_get_their_own_report_data(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: new EnclaveOptions { PlatformSecretPath = Options.PlatformSecretPath, ThreadWaitTimeout = TimeSpan.FromSeconds(30) });

        var results = new byte[16][];
        Parallel.For(0, results.Length, i => results[i] = enclave.GetEvidence([(byte)i]));

        for (int i = 0; i < results.Length; i++)
        {
            Assert.True(SimulationEvidence.TryParse(results[i], out var evidence, out var error), error);
            Assert.Equal(HostReportData.Derive([(byte)i]), evidence.ReportData.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void GetEvidence_after_dispose_fails_with_EnclaveDisposedException(EnclaveType type)
    {
        Enclave enclave = Enclave.Create(images.Main, type, options: Options);
        enclave.Dispose();

        Assert.Throws<EnclaveDisposedException>(() => enclave.GetEvidence([]));
    }

    [Fact]
    public void The_runtime_refuses_GetEvidence_when_its_platform_cannot_attest()
    {
        var image = SecGear.Images.EnclaveImage.Load(images.Main);
        using var runtime = EnclaveRuntime.Start(image, new SilentHost(), new EnclaveRuntimeOptions { Platform = new SealOnlyPlatform(image.Identity) });

        var ex = Assert.Throws<EnclaveNotSupportedException>(() => runtime.SystemCall(EnclaveSystemCall.GetEvidence, [], new ArrayBufferWriter<byte>()));

        Assert.Contains("cannot produce evidence", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_secretDir, recursive: true);

    private sealed class SilentHost : IEnclaveHostBridge
    {
        public void Ocall(int contract, SecGear.Abi.FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
            throw new CallNotAllowedException("no OCALLs in this test");

        public void Log(Microsoft.Extensions.Logging.LogLevel level, string category, string message)
        {
        }
    }

    /// <summary>A platform with sealing and randomness but no attestation (as a TEE without a quoting enclave).</summary>
    private sealed class SealOnlyPlatform(SecGear.Identity.EnclaveIdentity identity) : SecGear.Trusted.Platform.ITrustedPlatform
    {
        public SecGear.Identity.EnclaveIdentity Identity => identity;

        public void DeriveSealKey(in SecGear.Trusted.Platform.SealKeyRequest request, Span<byte> key) => key.Clear();

        public void GetRandomBytes(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
    }
}
