using System.Security.Cryptography;
using Npgsql;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Tests;

/// <summary>
/// Several instances of the same enclave identity share one store: the store wrapping key is released by the
/// attestation service's key broker to each attested instance, never to the host.
/// </summary>
public sealed class KeyBrokerTests
{
    private static readonly byte[] Message = "shared across instances"u8.ToArray();

    [PostgresFact]
    public async Task A_key_created_on_one_instance_is_used_on_another_sharing_the_postgres_store()
    {
        await using var broker = await BrokerRig.StartAsync();
        string schema = "crypto_broker_" + Guid.NewGuid().ToString("N")[..10];
        var settings = PostgresSettings(broker.ModuleSettings(), schema);
        try
        {
            // Two instances running at the same time, as behind a load balancer; neither has a sealed key of its own.
            await using var first = await EmbeddedCryptoModule.StartAsync(TempDirectory(), settings);
            await using var second = await EmbeddedCryptoModule.StartAsync(TempDirectory(), settings);
            using var http1 = new HttpClient { BaseAddress = new Uri(first.Url + "/") };
            using var http2 = new HttpClient { BaseAddress = new Uri(second.Url + "/") };
            string credential = (await new CryptoModuleClient(http1, adminKey: "test-admin-key").CreateTenantAsync("shared")).Credential;
            var one = new CryptoModuleClient(http1, credential);
            var two = new CryptoModuleClient(http2, credential);

            var ec = await one.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign, "shared-ec");
            byte[] signature = (await two.SignAsync("shared-ec", new SignRequest(Message))).Signature;
            using (var publicKey = ECDsa.Create())
            {
                publicKey.ImportSubjectPublicKeyInfo(ec.PublicKey, out _);
                Assert.True(publicKey.VerifyData(Message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            }

            await two.CreateKeyAsync(KeySpec.Sm4, KeyUsage.Encrypt, "shared-sm4");
            var encrypted = await two.EncryptAsync("shared-sm4", new EncryptRequest(Message));
            Assert.Equal(Message, (await one.DecryptAsync("shared-sm4", new DecryptRequest(encrypted.Ciphertext, Iv: encrypted.Iv))).Plaintext);

            // What the host keeps: rows of wrapped blobs, public keys and a check value; no copy of the store key, and no
            // sealed store key either (the broker is its only source). The blobs open under exactly the broker's key.
            var rows = await ReadAllAsync(schema);
            Assert.DoesNotContain(rows, row => Contains(row.Value, broker.StoreKey));
            Assert.DoesNotContain(rows, row => row.Table == "meta" && row.Column == CryptoModuleComposition.StoreKeyMeta);
            foreach (string directory in new[] { first.DataDirectory, second.DataDirectory })
            {
                Assert.DoesNotContain(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories), file => Contains(File.ReadAllBytes(file), broker.StoreKey));
            }

            byte[] blob = rows.Single(row => row.Table == "key_versions" && row.Column == "blob" && row.Key == "shared-ec").Value;
            byte[] material = OpenBlob(broker.StoreKey, blob, new EnclaveRequest
            {
                Tenant = "shared"u8,
                KeyId = "shared-ec"u8,
                Version = 1,
                Spec = KeySpec.EcP256,
                Usage = KeyUsage.Sign,
            }.KeyBinding());
            using var opened = ECDsa.Create();
            opened.ImportPkcs8PrivateKey(material, out _);
            Assert.Equal(ec.PublicKey, opened.ExportSubjectPublicKeyInfo());
        }
        finally
        {
            await TestSchemas.DropAsync(schema);
        }
    }

    [Fact]
    public async Task The_broker_refuses_the_store_key_to_an_enclave_whose_measurement_it_was_not_released_to()
    {
        await using var broker = await BrokerRig.StartAsync(allowedMeasurement: new string('0', 64));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedCryptoModule.StartAsync(TempDirectory(), broker.ModuleSettings()));
        Assert.Contains("ResourcePolicyUnsatisfied", error.Message, StringComparison.Ordinal);
        Assert.Contains(BrokerRig.ModuleIdentity.MeasurementHex, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instance_with_its_own_sealed_store_key_refuses_to_start_on_a_store_wrapped_under_the_brokers_key()
    {
        await using var broker = await BrokerRig.StartAsync();
        string directory = TempDirectory();
        await using (await EmbeddedCryptoModule.StartAsync(directory, broker.ModuleSettings()))
        {
        }

        // The same SQLite store opened without the broker: the enclave would seal a fresh key that opens none of the keys.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedCryptoModule.StartAsync(directory, ModuleFixture.Settings));
        Assert.Contains("wrapped under store key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_enclave_opens_the_envelope_the_host_relays_from_the_broker()
    {
        // What the host relays is the broker's answer: an envelope sealed to the enclave's one-use recipient key. A host
        // that takes it to the enclave again (after the one release) or under another path is refused.
        await using var broker = await BrokerRig.StartAsync();
        await using var module = await EmbeddedCryptoModule.StartAsync(TempDirectory(), broker.ModuleSettings());
        var enclave = (Keys.ModuleEnclave)module.Services.GetService(typeof(Keys.ModuleEnclave))!;
        var replay = Assert.Throws<CryptoProblemException>(() => enclave.Call(new EnclaveRequest
        {
            Op = EnclaveOp.BrokerInstall,
            KeyId = "cryptomodule/store-key/default"u8,
            Aad = new byte[91],
            Iv = new byte[12],
            Data = new byte[32],
            Extra = new byte[16],
        }));
        Assert.Contains("BrokerBegin first", replay.Message, StringComparison.Ordinal);
    }

    internal static Dictionary<string, string?> PostgresSettings(Dictionary<string, string?> settings, string schema)
    {
        settings["CryptoModule:StorageProvider"] = "postgres";
        settings["CryptoModule:ConnectionString"] = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable);
        settings["CryptoModule:PostgresSchema"] = schema;
        settings["CryptoModule:AdminApiKey"] = "test-admin-key";
        return settings;
    }

    private static byte[] OpenBlob(byte[] storeKey, byte[] blob, byte[] binding)
    {
        var material = new byte[blob.Length - 28];
        using var gcm = new AesGcm(storeKey, 16);
        gcm.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(12, material.Length), blob.AsSpan(blob.Length - 16), material, binding);
        return material;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static async Task<List<(string Table, string Column, string? Key, byte[] Value)>> ReadAllAsync(string schema)
    {
        var rows = new List<(string, string, string?, byte[])>();
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable));
        await connection.OpenAsync();
        foreach (var (table, key, columns) in new[]
        {
            ("meta", "name", new[] { "value" }),
            ("key_versions", "key_id", new[] { "blob", "public_key" }),
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {key}, {string.Join(", ", columns)} FROM {schema}.{table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (int i = 0; i < columns.Length; i++)
                {
                    if (!reader.IsDBNull(i + 1))
                    {
                        // For meta rows the "column" is the entry's name, so a test can ask for one entry.
                        rows.Add((table, table == "meta" ? reader.GetString(0) : columns[i], reader.GetString(0), (byte[])reader.GetValue(i + 1)));
                    }
                }
            }
        }

        return rows;
    }

    private static string TempDirectory() => TestDirectories.NewAtExit();
}
