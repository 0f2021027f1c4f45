using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Tests;

/// <summary>Keys survive restarts and crashes: an acknowledged key is never lost; PostgreSQL serves as the store too.</summary>
public sealed partial class DurabilityTests
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("durable");

    [Fact]
    public async Task After_a_restart_the_same_keys_verify_old_signatures_and_decrypt_old_ciphertexts()
    {
        string directory = TempDirectory();
        string credential;
        byte[] signature, ciphertext, iv;
        await using (var first = await EmbeddedCryptoModule.StartAsync(directory, ModuleFixture.Settings))
        {
            using var http = new HttpClient { BaseAddress = new Uri(first.Url + "/") };
            credential = (await new CryptoModuleClient(http, adminKey: first.AdminKey).CreateTenantAsync("restart")).Credential;
            var client = new CryptoModuleClient(http, credential);
            await client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Sign, "signer");
            await client.CreateKeyAsync(KeySpec.Sm4, KeyUsage.Encrypt, "sealer");
            signature = (await client.SignAsync("signer", new SignRequest(Message))).Signature;
            var encrypted = await client.EncryptAsync("sealer", new EncryptRequest(Message));
            (ciphertext, iv) = (encrypted.Ciphertext, encrypted.Iv!);
        }

        await using var second = await EmbeddedCryptoModule.StartAsync(directory, ModuleFixture.Settings);
        using var http2 = new HttpClient { BaseAddress = new Uri(second.Url + "/") };
        var again = new CryptoModuleClient(http2, credential);
        Assert.True((await again.VerifyAsync("signer", new VerifyRequest(Message, signature))).Valid);
        Assert.Equal(Message, (await again.DecryptAsync("sealer", new DecryptRequest(ciphertext, Scheme.Gcm, iv))).Plaintext);
    }

    [Fact]
    public async Task Killing_the_service_during_key_writes_loses_no_acknowledged_key()
    {
        string directory = TempDirectory();
        string credential;
        var acknowledged = new List<(string Id, byte[] PublicKey)>();
        using (var service = ServiceProcess.Start(directory))
        {
            using var http = new HttpClient { BaseAddress = new Uri(service.Url + "/") };
            string adminKey = (await File.ReadAllTextAsync(Path.Combine(directory, "admin.key"))).Trim();
            credential = (await new CryptoModuleClient(http, adminKey: adminKey).CreateTenantAsync("crash")).Credential;
            var client = new CryptoModuleClient(http, credential);
            using var stop = new CancellationTokenSource();
            // Four writers create keys as fast as they can; the process is killed under them.
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var key = await client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign, $"w{w}-{i}");
                        lock (acknowledged)
                        {
                            acknowledged.Add((key.Id, key.PublicKey!));
                        }
                    }
                    catch (CryptoModuleException)
                    {
                        return;
                    }
                }
            })).ToArray();
            await Task.Delay(1500);
            service.Kill();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        Assert.NotEmpty(acknowledged);
        await using var restarted = await EmbeddedCryptoModule.StartAsync(directory, ModuleFixture.Settings);
        using var http2 = new HttpClient { BaseAddress = new Uri(restarted.Url + "/") };
        var after = new CryptoModuleClient(http2, credential);
        var stored = (await after.ListKeysAsync()).Keys.ToDictionary(k => k.Id);
        foreach (var (id, publicKey) in acknowledged)
        {
            Assert.True(stored.TryGetValue(id, out var key), $"acknowledged key {id} is missing after the crash");
            Assert.Equal(publicKey, key!.PublicKey);
        }

        var (firstId, firstPublic) = acknowledged[0];
        var signature = await after.SignAsync(firstId, new SignRequest(Message));
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(firstPublic, out _);
        Assert.True(ec.VerifyData(Message, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [PostgresFact]
    public async Task Postgres_store_keeps_keys_and_audit_records_across_instances()
    {
        string schema = "crypto_test_" + Guid.NewGuid().ToString("N")[..10];
        var settings = ModuleFixture.Settings;
        settings["CryptoModule:StorageProvider"] = "postgres";
        settings["CryptoModule:ConnectionString"] = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable);
        settings["CryptoModule:PostgresSchema"] = schema;
        // Same machine, same enclave build: the sealed store key opens in both instances.
        settings["CryptoModule:AdminApiKey"] = "test-admin-key";
        try
        {
            string credential;
            byte[] signature;
            await using (var first = await EmbeddedCryptoModule.StartAsync(TempDirectory(), settings))
            {
                using var http = new HttpClient { BaseAddress = new Uri(first.Url + "/") };
                credential = (await new CryptoModuleClient(http, adminKey: "test-admin-key").CreateTenantAsync("pg")).Credential;
                var client = new CryptoModuleClient(http, credential);
                await client.CreateKeyAsync(KeySpec.EcP384, KeyUsage.Sign, "pg-key");
                await client.RotateKeyAsync("pg-key");
                signature = (await client.SignAsync("pg-key", new SignRequest(Message))).Signature;
            }

            await using var second = await EmbeddedCryptoModule.StartAsync(TempDirectory(), settings);
            using var http2 = new HttpClient { BaseAddress = new Uri(second.Url + "/") };
            var other = new CryptoModuleClient(http2, credential);
            var verified = await other.VerifyAsync("pg-key", new VerifyRequest(Message, signature));
            Assert.True(verified.Valid);
            Assert.Equal(2u, verified.Version);

            // Audit records reach PostgreSQL too, with and without a key (the prepared insert binds nulls).
            await other.RandomAsync(16);
            var audit = (await other.GetAuditAsync()).Entries;
            Assert.Contains(audit, e => e.KeyId == "pg-key" && e.Operation == "verify" && e.Version == 2);
            Assert.Contains(audit, e => e.KeyId is null && e.Operation == "random" && e.Version is null);
        }
        finally
        {
            await TestSchemas.DropAsync(schema);
        }
    }

    private static string TempDirectory() => TestDirectories.NewAtExit();

    /// <summary>The service as its own process (the built SecGear.CryptoModule.dll), so it can be killed with SIGKILL.</summary>
    private sealed partial class ServiceProcess : IDisposable
    {
        private readonly Process _process;

        private ServiceProcess(Process process, string url)
        {
            _process = process;
            Url = url;
        }

        public string Url { get; }

        public static ServiceProcess Start(string directory)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "SecGear.CryptoModule.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            foreach (string argument in new[] { "exec", "--runtimeconfig", Path.Combine(AppContext.BaseDirectory, "SecGear.CryptoModule.Tests.runtimeconfig.json"),
                dll, "--urls", "http://127.0.0.1:0", "--CryptoModule:DataDirectory=" + directory, "--Logging:LogLevel:Default=Information" })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                string? line = process.StandardOutput.ReadLine();
                if (line is null)
                {
                    break;
                }

                var match = ListeningPattern().Match(line);
                if (match.Success)
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    _ = process.StandardError.ReadToEndAsync();
                    return new ServiceProcess(process, match.Value);
                }
            }

            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the service did not start: {process.StandardError.ReadToEnd()}");
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
        private static partial Regex ListeningPattern();
    }
}
