using System.Security.Cryptography;
using Npgsql;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;
using SecGear.EncryptedDb.Client;

namespace SecGear.EncryptedDb.Tests;

/// <summary>A client master key kept in the real crypto module (embedded, simulation engine) instead of a key file.</summary>
public sealed class CryptoModuleMasterKeyTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "encdb-cm-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
    private readonly string _schema = $"encdb_cm_{Environment.ProcessId}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    private EmbeddedCryptoModule? _module;
    private HttpClient? _http;
    private CryptoModuleClient? _tenant;
    private CryptoModuleClient? _otherTenant;
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)))
        {
            return;
        }

        _module = await EmbeddedCryptoModule.StartAsync(_dataDirectory, new Dictionary<string, string?> { ["CryptoModule:KeyCacheLifetime"] = "00:00:00" });
        _http = new HttpClient { BaseAddress = new Uri(_module.Url + "/") };
        var admin = new CryptoModuleClient(_http, adminKey: _module.AdminKey);
        _tenant = new CryptoModuleClient(_http, (await admin.CreateTenantAsync("encdb-a")).Credential);
        _otherTenant = new CryptoModuleClient(_http, (await admin.CreateTenantAsync("encdb-b")).Credential);
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE SCHEMA {_schema}", connection);
        await create.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { SearchPath = _schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_module is null)
        {
            return;
        }

        await using (var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        _http?.Dispose();
        await _module.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [PostgresFact]
    public async Task Column_keys_wrapped_by_a_crypto_module_key_encrypt_and_decrypt_and_no_other_tenant_unwraps_them()
    {
        await using (EncryptedDbConnection owner = Connect(_tenant))
        {
            await owner.OpenAsync();
            // openGauss-style key DDL (the same as CreateMasterKeyInCryptoModuleAsync and CreateColumnKeyAsync).
            Assert.Equal(0, await owner.CreateCommand("CREATE CLIENT MASTER KEY cmk_module WITH (KEY_STORE = crypto_module, KEY_PATH = 'encdb-cmk')").ExecuteNonQueryAsync());
            Assert.Equal(0, await owner.CreateCommand("CREATE COLUMN ENCRYPTION KEY cek_module WITH VALUES (CLIENT_MASTER_KEY = cmk_module, ALGORITHM = AES_256_GCM)").ExecuteNonQueryAsync());
            await owner.CreateTableAsync("people", "id",
            [
                new ColumnDefinition("id", DbValueType.Int64),
                new ColumnDefinition("name", DbValueType.Text, EncryptionType.Randomized, "cek_module"),
                new ColumnDefinition("email", DbValueType.Text, EncryptionType.Deterministic, "cek_module"),
            ]);
            Assert.Equal(2, await owner.CreateCommand("INSERT INTO people (id, name, email) VALUES (1, 'Ada Lovelace', 'ada@example.org'), (2, 'Alan Turing', 'alan@example.org')").ExecuteNonQueryAsync());
        }

        // The catalog names the module key; the wrapped column key is version | iv | AES-256-GCM ciphertext | tag.
        await using (var raw = new NpgsqlConnection(_connectionString))
        {
            await raw.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT m.key_store, m.key_path, length(k.wrapped) FROM encdb_master_keys m JOIN encdb_column_keys k ON k.master_key = m.name", raw);
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((CryptoModuleMasterKeys.KeyStore, "encdb-cmk", 64), (reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }

        // A fresh connection unwraps through the module, also after the module key rotated.
        await _tenant!.RotateKeyAsync("encdb-cmk");
        await using (EncryptedDbConnection reader = Connect(_tenant))
        {
            await reader.OpenAsync();
            Assert.Equal("Alan Turing", await reader.CreateCommand("SELECT name FROM people WHERE email = 'alan@example.org'").ExecuteScalarAsync());
        }

        // Without the module, or as another tenant of it, the column key stays wrapped.
        foreach (CryptoModuleClient? module in new[] { null, _otherTenant })
        {
            await using EncryptedDbConnection stranger = Connect(module);
            await stranger.OpenAsync();
            var ex = await Assert.ThrowsAsync<EncryptedDbException>(() => stranger.CreateCommand("SELECT name FROM people WHERE id = 1").ExecuteReaderAsync());
            Assert.Equal(EncryptedDbFailureCode.KeyUnavailable, ex.Code);
        }
    }

    private EncryptedDbConnection Connect(CryptoModuleClient? module) => new(new EncryptedDbOptions { ConnectionString = _connectionString, CryptoModule = module });
}
