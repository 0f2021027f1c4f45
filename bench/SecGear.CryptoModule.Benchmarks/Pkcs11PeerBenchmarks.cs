using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>
/// The same PKCS#11 harness (Pkcs11Interop, one session, single thread) over libsecgear-pkcs11.so and over SoftHSM2
/// (Debian softhsm2, a library with no process boundary at all): CKM_ECDSA on a SHA-256 digest with a P-256 key, and
/// CKM_AES_GCM on 1 KiB. Ratio = SoftHSM2 time ÷ ours.
/// </summary>
[Config(typeof(BenchConfig))]
public partial class Pkcs11PeerBenchmarks
{
    private const string SoftHsmLibrary = "/usr/lib/softhsm/libsofthsm2.so";
    private static readonly byte[] Digest = SHA256.HashData("pkcs11 peer"u8);
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(1024);
    private static readonly Pkcs11InteropFactories Factories = CreateFactories();
    private readonly Pkcs11InteropFactories _factories = Factories;
    private readonly string _softHsmDirectory = Path.Combine(Path.GetTempPath(), "secgear-softhsm-" + Guid.NewGuid().ToString("N")[..8]);
    private ModuleRig _rig = null!;
    private Harness _ours = null!;
    private Harness _softHsm = null!;

    [Params("EcdsaP256Sign", "AesGcm1KiB")]
    public string Operation { get; set; } = "EcdsaP256Sign";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (!File.Exists(SoftHsmLibrary))
        {
            throw new InvalidOperationException($"{SoftHsmLibrary} is missing: apt-get install softhsm2");
        }

        _rig = await ModuleRig.StartAsync(switchless: true);
        SetEnv("SECGEAR_PKCS11_URL", _rig.Module.Url);
        SetEnv("SECGEAR_PKCS11_TENANTS", "bench");
        string ourLibrary = Path.Combine(AppContext.BaseDirectory, "pkcs11", "libsecgear-pkcs11.so");
        _ours = new Harness(_factories, ourLibrary, await CredentialAsync(), null);

        Directory.CreateDirectory(Path.Combine(_softHsmDirectory, "tokens"));
        string conf = Path.Combine(_softHsmDirectory, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(_softHsmDirectory, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        SetEnv("SOFTHSM2_CONF", conf);
        var init = Process.Start(new ProcessStartInfo("softhsm2-util", ["--init-token", "--free", "--label", "bench", "--pin", "1234", "--so-pin", "5678"])
        {
            Environment = { ["SOFTHSM2_CONF"] = conf },
            RedirectStandardOutput = true,
        })!;
        init.WaitForExit();
        _softHsm = new Harness(_factories, SoftHsmLibrary, "1234", "bench");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _ours.Dispose();
        _softHsm.Dispose();
        await _rig.DisposeAsync();
        Directory.Delete(_softHsmDirectory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public byte[] SoftHsm2() => _softHsm.Run(Operation);

    [Benchmark]
    public byte[] SecGearModule() => _ours.Run(Operation);

    private async Task<string> CredentialAsync()
    {
        // ModuleRig made tenant "bench"; the benchmark needs its credential, so it makes a second tenant-scoped login:
        // the admin creates a fresh tenant whose keys the PKCS#11 harness generates itself.
        var admin = new SecGear.CryptoModule.Client.CryptoModuleClient(_rig.Http, adminKey: _rig.Module.AdminKey);
        var tenant = await admin.CreateTenantAsync("p11bench");
        SetEnv("SECGEAR_PKCS11_TENANTS", "p11bench");
        return tenant.Credential;
    }

    private static Pkcs11InteropFactories CreateFactories()
    {
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, _, _) => name == "libdl" ? NativeLibrary.Load("libdl.so.2") : IntPtr.Zero);
        return new Pkcs11InteropFactories();
    }

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvNative(string name, string value, int overwrite);

    private static void SetEnv(string name, string value) => SetEnvNative(name, value, 1);

    /// <summary>One library, one logged-in session, an EC P-256 key pair and an AES-256 key.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly Pkcs11InteropFactories _factories;
        private readonly IPkcs11Library _library;
        private readonly ISession _session;
        private readonly IObjectHandle _ecKey;
        private readonly IObjectHandle _aesKey;

        public Harness(Pkcs11InteropFactories factories, string path, string pin, string? label)
        {
            _factories = factories;
            _library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            var slot = _library.GetSlotList(SlotsType.WithTokenPresent).First(s => label is null || s.GetTokenInfo().Label == label);
            _session = slot.OpenSession(SessionType.ReadWrite);
            _session.Login(CKU.CKU_USER, pin);
            var attributes = factories.ObjectAttributeFactory;
            _session.GenerateKeyPair(factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN),
                [attributes.Create(CKA.CKA_EC_PARAMS, Convert.FromHexString("06082A8648CE3D030107")), attributes.Create(CKA.CKA_TOKEN, true), attributes.Create(CKA.CKA_VERIFY, true)],
                [attributes.Create(CKA.CKA_TOKEN, true), attributes.Create(CKA.CKA_SIGN, true), attributes.Create(CKA.CKA_SENSITIVE, true), attributes.Create(CKA.CKA_PRIVATE, true)],
                out _, out _ecKey);
            _aesKey = _session.GenerateKey(factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
                [attributes.Create(CKA.CKA_VALUE_LEN, 32UL), attributes.Create(CKA.CKA_TOKEN, true), attributes.Create(CKA.CKA_ENCRYPT, true),
                 attributes.Create(CKA.CKA_DECRYPT, true), attributes.Create(CKA.CKA_SENSITIVE, true)]);
        }

        public byte[] Run(string operation) => operation == "EcdsaP256Sign"
            ? _session.Sign(_factories.MechanismFactory.Create(CKM.CKM_ECDSA), _ecKey, Digest)
            : _session.Encrypt(_factories.MechanismFactory.Create(CKM.CKM_AES_GCM,
                _factories.MechanismParamsFactory.CreateCkGcmParams(RandomNumberGenerator.GetBytes(12), 96, null, 128)), _aesKey, Data);

        public void Dispose()
        {
            _session.Dispose();
            _library.Dispose();
        }
    }
}
