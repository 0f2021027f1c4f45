using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.EncryptedDb.Tests;

/// <summary>
/// A schema of its own with an <c>accounts</c> table whose values carry marker strings, the query service (enclave on
/// the simulation engine) recording every byte it exchanges with the enclave and every log line, and a client.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public const int Rows = 400;

    private readonly RecordingLoggerProvider _logs = new();
    private ILoggerFactory? _loggerFactory;

    public string Schema { get; } = $"encdb_test_{Environment.ProcessId}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    public string ConnectionString { get; private set; } = string.Empty;

    public string KeyDirectory { get; } = Directory.CreateTempSubdirectory("encdb-test-keys-").FullName;

    public ConcurrentQueue<(string Label, byte[] Bytes)> Traffic { get; } = new();

    public IEnumerable<string> LogLines => _logs.Lines;

    public EncryptedQueryService? Service { get; private set; }

    public EncryptedDbConnection? Client { get; private set; }

    public byte[] Measurement { get; private set; } = [];

    public byte[] Signer { get; private set; } = [];

    public byte[] Ca { get; private set; } = [];

    public bool Available => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable));

    public static string Owner(int id) => string.Create(CultureInfo.InvariantCulture, $"Owner-Zqx{id:D4}-Marker");

    public static string Iban(int id) => string.Create(CultureInfo.InvariantCulture, $"DE-IBAN-ZQ{id:D6}");

    public static string? Note(int id) => id % 3 == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"secret-note-quokka-{id}");

    public static decimal Balance(int id) => (id * 10.25m) + 0.01m;

    public async Task InitializeAsync()
    {
        if (!Available)
        {
            return;
        }

        await using (var admin = new NpgsqlConnection(PostgresFactAttribute.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {Schema}", admin);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString) { SearchPath = Schema }.ConnectionString;
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        Service = await EncryptedQueryService.StartAsync(
            new QueryServiceOptions
            {
                ConnectionString = ConnectionString,
                LoggerFactory = _loggerFactory,
                BatchRows = 64,
                TrafficRecorder = (label, bytes) => Traffic.Enqueue((label, bytes.ToArray())),
            },
            new IPEndPoint(IPAddress.Loopback, 0));
        var image = EnclaveImage.Load(Path.Combine(AppContext.BaseDirectory, "SecGear.EncryptedDb.Enclave.sgimage"));
        Measurement = image.Identity.Measurement.ToArray();
        Signer = image.Identity.Signer.ToArray();
        Ca = SimulatedAttestationAuthority.EnsureCaCertificate();
        Client = Connect(Measurement);
        await Client.OpenAsync();
        await Client.CreateMasterKeyAsync("cmk_test", Path.Combine(KeyDirectory, "cmk.key"));
        await Client.CreateColumnKeyAsync("cek_accounts", "cmk_test");
        await Client.CreateTableAsync("accounts", "id",
        [
            new ColumnDefinition("id", DbValueType.Int64),
            new ColumnDefinition("owner", DbValueType.Text, EncryptionType.Randomized, "cek_accounts"),
            new ColumnDefinition("iban", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
            new ColumnDefinition("city", DbValueType.Text),
            new ColumnDefinition("balance", DbValueType.Numeric, EncryptionType.Randomized, "cek_accounts"),
            new ColumnDefinition("note", DbValueType.Text, EncryptionType.Randomized, "cek_accounts"),
            new ColumnDefinition("opened", DbValueType.Date),
        ]);
        string[] cities = ["Oslo", "Lima", "Pune"];
        await Client.ImportAsync("accounts", ["id", "owner", "iban", "city", "balance", "note", "opened"],
            Enumerable.Range(1, Rows).Select(id => new object?[] { (long)id, Owner(id), Iban(id), cities[id % 3], Balance(id), Note(id), new DateOnly(2024, 1, 1).AddDays(id) }));
    }

    public EncryptedDbConnection Connect(byte[] measurement, bool verifiedAggregates = false)
    {
        (var verifier, var policy) = EnclaveTrust.Simulation(measurement, Signer, Ca);
        return new EncryptedDbConnection(new EncryptedDbOptions
        {
            ConnectionString = ConnectionString,
            QueryService = Service!.EndPoint,
            Verifier = verifier,
            EnclavePolicy = policy,
            VerifiedAggregates = verifiedAggregates,
        });
    }

    public async Task DisposeAsync()
    {
        if (!Available)
        {
            return;
        }

        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        _loggerFactory?.Dispose();
        await using (var admin = new NpgsqlConnection(PostgresFactAttribute.ConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA {Schema} CASCADE", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Directory.Delete(KeyDirectory, recursive: true);
    }
}
