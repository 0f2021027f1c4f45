using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Attestation;
using SecGear.Host;
using SecGear.Host.Engines;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Tests.TestEnclave;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>Tests that set the process-wide emulation environment run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "confidential-vm environment";
}

/// <summary>
/// The engine end to end: <c>Enclave.Create(..., EnclaveType.ConfidentialVm)</c> starts a real runner with
/// <c>--platform confidential-vm</c>, the runner talks to the emulated configfs-tsm named by
/// <c>SECGEAR_CVM_EMULATION</c>, and the host verifies what it returns.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ConfidentialVmEngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("secgear-cvm-engine-").FullName;
    private readonly string _image;

    public ConfidentialVmEngineTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var manifest = new EnclaveManifest { Name = "TestEnclave", ProductId = 7, SecurityVersion = 3, Debug = true, MaxThreads = 2, EntryAssembly = "TestEnclave.dll" };
        _image = Path.Combine(_dir, "test.sgimg");
        File.WriteAllBytes(_image, new EnclaveImageBuilder(manifest).AddFile("TestEnclave.dll", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"))).Sign(key));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, null);
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBroker, null);
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBrokerPolicy, null);
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBrokerKeys, null);
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl, null);
        Directory.Delete(_dir, recursive: true);
    }

    private EnclaveOptions Options(ILoggerFactory? logs = null) => new() { PlatformSecretPath = Path.Combine(_dir, "platform.secret"), LoggerFactory = logs };

    [TestVectorFact]
    public void Enclave_on_an_emulated_snp_vm_returns_hardware_evidence_that_names_it_and_binds_the_nonce()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Snp()));
        byte[] nonce = RandomNumberGenerator.GetBytes(64);
        using Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options());

        Assert.Equal("confidential-vm", enclave.EngineName);
        Assert.Equal("ping"u8.ToArray(), Echo(enclave, "ping"u8));
        byte[] bytes = enclave.GetEvidence(nonce);

        Assert.True(ConfidentialVmEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(enclave.Identity.Measurement, evidence.Measurement.ToArray());
        Assert.Equal(SecGear.Identity.HostReportData.Derive(nonce), evidence.ReportData.ToArray());
        Assert.Equal(TestVectors.Read(Recordings.SnpReport), evidence.HardwareEvidence.ToArray());
        AttestationResult result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(bytes), null, Recordings.SnpTime);
        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, result.Failure?.Code);
        Assert.Equal(enclave.Identity.Measurement, result.Claims!.UniqueId.ToArray());
    }

    [TestVectorFact]
    public void Enclave_on_an_emulated_tdx_vm_asks_the_tee_to_sign_its_binding()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Tdx(patch: true)));
        using Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options());

        byte[] bytes = enclave.GetEvidence("nonce"u8);

        Assert.True(ConfidentialVmEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(ConfidentialVmTee.Tdx, evidence.Tee);
        Assert.Equal(evidence.Binding(), evidence.HardwareEvidence.Slice(Tsm.TsmProviders.TdxReportDataOffset, 64).ToArray());
    }

    [TestVectorFact]
    public void A_bad_vmpl_does_not_stop_the_engine_where_sev_guest_is_not_used()
    {
        // configfs-tsm on TDX never reads the VMPL: only SEV-SNP guests (configfs-tsm's privlevel, /dev/sev-guest) do.
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl, "9");
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Tdx(patch: true)));

        var source = ConfidentialVmDetection.OpenSource(out var sevDevice, out uint vmpl);
        Assert.Null(sevDevice);
        Assert.Equal(0u, vmpl);
        Assert.Equal(ConfidentialVmTee.Tdx, source.Tee);
        using Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options());
        Assert.Equal("ping"u8.ToArray(), Echo(enclave, "ping"u8));
        Assert.True(ConfidentialVmEvidence.TryParse(enclave.GetEvidence("nonce"u8), out _, out var error), error);
    }

    [TestVectorFact]
    public void On_sev_snp_configfs_tsm_the_vmpl_becomes_the_privlevel_and_a_bad_one_is_a_typed_error()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Snp()));
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl, "2");

        var source = Assert.IsType<ConfigFsTsmEvidenceSource>(ConfidentialVmDetection.OpenSource(out _, out _));
        Assert.Equal(2u, source.PrivLevel);
        Assert.EndsWith("privlevel 2", source.Description, StringComparison.Ordinal);
        Assert.NotEmpty(source.GetReport(new byte[64]).Outblob);

        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl, null);
        Assert.Null(Assert.IsType<ConfigFsTsmEvidenceSource>(ConfidentialVmDetection.OpenSource(out _, out _)).PrivLevel);

        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl, "9");
        var ex = Assert.Throws<ConfidentialVmConfigurationException>(() => ConfidentialVmDetection.OpenSource(out _, out _));
        Assert.Equal(ConfidentialVmEnvironment.Vmpl, ex.Variable);
    }

    [Fact]
    public void Detection_reports_virtcca_as_not_supported_for_want_of_a_documented_guest_interface()
    {
        TeeProbe probe = Assert.Single(ConfidentialVmDetection.ProbeAll(), p => p.Name == "virtCCA TSI");

        Assert.False(probe.Available);
        Assert.Equal(Tsm.TsmFailureCode.NotSupported, probe.Failure);
        Assert.StartsWith("not supported: no documented guest interface", probe.Detail, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Sealing_on_tdx_fails_in_the_enclave_with_the_reason()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Tdx()));
        using Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options());
        var proxy = new TestEnclaveProxy(enclave, null);

        // The runtime carries SecGear's own exception types across the boundary.
        var ex = Assert.Throws<EnclaveNotSupportedException>(() => proxy.Seal("data"u8, new byte[4096]));
        Assert.Contains("key broker", ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public async Task Data_sealed_on_one_tdx_vm_unseals_in_the_same_enclave_on_another_through_the_key_broker()
    {
        // The image is a debug enclave, so the broker's policy must allow debug.
        await using var rig = await BrokerRig.StartAsync("""{"allowDebug": true}""");
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBroker, rig.Service.Url);
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBrokerPolicy, BrokerRig.Policy);
        string pinned = Path.Combine(_dir, "broker-jwks.json");
        File.WriteAllBytes(pinned, await rig.JwksAsync());
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.KeyBrokerKeys, pinned);
        byte[] secret = RandomNumberGenerator.GetBytes(100);

        byte[] blob;
        UseTdxVm(0);
        using (Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options()))
        {
            blob = Seal(enclave, secret);
        }

        UseTdxVm(1);
        using (Enclave enclave = Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options()))
        {
            Assert.Equal(secret, Unseal(enclave, blob));
        }

        // Another signer's build of the same enclave (the enclave seals under the signer policy) gets another key.
        string otherImage = Path.Combine(_dir, "other-signer.sgimg");
        using (var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            var manifest = new EnclaveManifest { Name = "TestEnclave", ProductId = 7, SecurityVersion = 3, Debug = true, MaxThreads = 2, EntryAssembly = "TestEnclave.dll" };
            File.WriteAllBytes(otherImage, new EnclaveImageBuilder(manifest).AddFile("TestEnclave.dll", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"))).Sign(otherKey));
        }

        using (Enclave other = Enclave.Create(otherImage, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options()))
        {
            // The enclave's UnsealException crosses the boundary as an ECALL failure carrying its message.
            var ex = Assert.Throws<EcallFailedException>(() => Unseal(other, blob));
            Assert.Contains("does not authenticate", ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Points the runner at an emulated TDX VM whose MRTD differs per <paramref name="vm"/>.</summary>
    private void UseTdxVm(byte vm)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_dir, $"vm{vm}")).FullName;
        byte[] quote = TestVectors.Read(Recordings.TdxQuote);
        quote[184] ^= vm;
        Environment.SetEnvironmentVariable(
            ConfidentialVmEnvironment.Emulation,
            Recordings.WriteSpec(directory, new Emulation.EmulatedTsmReport { Provider = Tsm.TsmProviders.Tdx, Outblob = quote, PatchReportData = true }));
    }

    [TestVectorFact]
    public void Auto_picks_the_confidential_vm_engine_where_a_provider_answers_and_logs_why()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, Recordings.WriteSpec(_dir, Recordings.Cca()));
        var logs = new CapturingLoggerFactory();
        using Enclave enclave = Enclave.Create(_image, EnclaveType.Auto, EnclaveFlags.Debug, Options(logs));

        Assert.Equal(EnclaveType.ConfidentialVm, enclave.Type);
        Assert.Contains(logs.Messages, m => m.Contains("chose the confidential-vm engine", StringComparison.Ordinal) && m.Contains("arm_cca_guest", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_picks_simulation_where_no_provider_answers_and_logs_why()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, null);
        var logs = new CapturingLoggerFactory();
        using Enclave enclave = Enclave.Create(_image, EnclaveType.Auto, EnclaveFlags.Debug, Options(logs));

        Assert.Equal(EnclaveType.Simulation, enclave.Type);
        Assert.Contains(logs.Messages, m => m.Contains("chose the simulation engine", StringComparison.Ordinal));
        Assert.True(SimulationEvidence.LooksLike(enclave.GetEvidence([])));
    }

    [Fact]
    public void Asking_for_the_engine_where_no_provider_answers_says_why()
    {
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, null);

        var ex = Assert.Throws<EnclaveNotSupportedException>(() => Enclave.Create(_image, EnclaveType.ConfidentialVm, EnclaveFlags.Debug, Options()));
        Assert.Contains("ConfidentialVm", ex.Message, StringComparison.Ordinal);
        Assert.False(EnclaveEngines.All.Single(e => e.Type == EnclaveType.ConfidentialVm).IsAvailable);
    }

    [Fact]
    public void Emulated_vm_without_a_provider_makes_the_engine_unavailable()
    {
        string spec = Path.Combine(_dir, "broken.json");
        File.WriteAllText(spec, """{"provider": "sev_guest", "outblob": "missing-file"}""");
        Environment.SetEnvironmentVariable(ConfidentialVmEnvironment.Emulation, spec);

        Assert.False(EnclaveEngines.All.Single(e => e.Type == EnclaveType.ConfidentialVm).IsAvailable);
        Assert.Equal(EnclaveType.Simulation, EnclaveEngines.Resolve(EnclaveType.Auto).Type);
    }

    private static byte[] Echo(Enclave enclave, ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        new TestEnclaveProxy(enclave, null).Echo(copy);
        return copy;
    }

    private static byte[] Seal(Enclave enclave, ReadOnlySpan<byte> data)
    {
        byte[] blob = new byte[data.Length + 4096];
        int length = new TestEnclaveProxy(enclave, null).Seal(data, blob);
        Assert.True(length >= 0, "the blob buffer is too small");
        return blob[..length];
    }

    private static byte[] Unseal(Enclave enclave, ReadOnlySpan<byte> blob)
    {
        byte[] data = new byte[blob.Length];
        int length = new TestEnclaveProxy(enclave, null).Unseal(blob, data);
        Assert.True(length >= 0, "the data buffer is too small");
        return data[..length];
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue(formatter(state, exception));
        }
    }
}
