using System.Diagnostics;
using System.Runtime.InteropServices;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Tests;

/// <summary>A running module with one tenant, the published PKCS#11 library, and its environment set for this process and children.</summary>
public sealed partial class Pkcs11Fixture : IAsyncLifetime
{
    public static readonly string LibraryPath = Path.Combine(AppContext.BaseDirectory, "pkcs11", "libsecgear-pkcs11.so");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-cm-p11-" + Guid.NewGuid().ToString("N")[..12]);

    public EmbeddedCryptoModule Module { get; private set; } = null!;

    public string Credential { get; private set; } = null!;

    public string Tenant { get; } = "p11-" + Guid.NewGuid().ToString("N")[..6];

    public CryptoModuleClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Module = await EmbeddedCryptoModule.StartAsync(_directory, ModuleFixture.Settings);
        var http = new HttpClient { BaseAddress = new Uri(Module.Url + "/") };
        Credential = (await new CryptoModuleClient(http, adminKey: Module.AdminKey).CreateTenantAsync(Tenant)).Credential;
        Client = new CryptoModuleClient(http, Credential);
        // The NativeAOT library reads the C environment (getenv), which Environment.SetEnvironmentVariable does not change.
        SetEnv("SECGEAR_PKCS11_URL", Module.Url);
        SetEnv("SECGEAR_PKCS11_TENANTS", Tenant);
        Environment.SetEnvironmentVariable("SECGEAR_PKCS11_URL", Module.Url);
        Environment.SetEnvironmentVariable("SECGEAR_PKCS11_TENANTS", Tenant);
    }

    public async Task DisposeAsync()
    {
        await Module.DisposeAsync();
        TestDirectories.Delete(_directory);
    }

    /// <summary>Runs pkcs11-tool against the library; returns exit code and combined output.</summary>
    public (int ExitCode, string Output) Tool(params string[] arguments)
    {
        var start = new ProcessStartInfo("pkcs11-tool") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SECGEAR_PKCS11_URL"] = Module.Url;
        start.Environment["SECGEAR_PKCS11_TENANTS"] = Tenant;
        start.Environment["SECGEAR_PKCS11_DEBUG"] = "1";
        start.ArgumentList.Add("--module");
        start.ArgumentList.Add(LibraryPath);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"pkcs11-tool {string.Join(' ', arguments)} hung");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Why a PKCS#11 test cannot run here, or null.</summary>
    public static string? MissingReason(bool needsTool)
    {
        if (!File.Exists(LibraryPath))
        {
            return $"{LibraryPath} was not published (the test project publishes it with NativeAOT on Linux builds)";
        }

        return needsTool && !File.Exists("/usr/bin/pkcs11-tool") ? "pkcs11-tool is not installed (Debian package opensc, listed in .ci/apt-packages)" : null;
    }

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvNative(string name, string value, int overwrite);

    private static void SetEnv(string name, string value) => SetEnvNative(name, value, 1);
}
