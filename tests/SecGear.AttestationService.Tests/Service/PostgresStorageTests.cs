using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>Several stateless instances on one PostgreSQL database (a schema of its own per test class), sharing one master key.</summary>
public sealed class PostgresStorageTests : IDisposable
{
    private readonly string? _baseConnectionString = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable);
    private readonly string _schema = "secgear_test_" + Guid.NewGuid().ToString("N");
    private readonly string _masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly SimulatedEnclave _enclave = new();
    private readonly List<(ServiceFactory Factory, string Directory)> _instances = [];

    public PostgresStorageTests()
    {
        if (_baseConnectionString is not null)
        {
            Execute($"CREATE SCHEMA {_schema}");
        }
    }

    private string ConnectionString => new NpgsqlConnectionStringBuilder(_baseConnectionString) { SearchPath = _schema }.ConnectionString;

    private ServiceFactory Instance(string? connectionString = null, ManualClock? clock = null, Dictionary<string, string?>? extra = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "secgear-as-pg-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>(extra ?? [])
        {
            ["AttestationService:StorageProvider"] = "postgres",
            ["AttestationService:ConnectionString"] = connectionString ?? ConnectionString,
            ["AttestationService:MasterKey"] = _masterKey,
        };
        var factory = new ServiceFactory(directory, _enclave.CaCertificatePath, clock, settings);
        _instances.Add((factory, directory));
        return factory;
    }

    [PostgresFact]
    public async Task A_challenge_from_one_instance_is_consumed_on_another_and_its_token_is_honoured_by_the_first()
    {
        var a = Instance();
        var b = Instance();
        using var adminA = a.Admin();
        await ServiceClient.PutPolicyAsync(adminA, "sim", """{"allowSimulation":true}""");
        using (var put = await adminA.PutAsJsonAsync("/resources/kbs/key/db", new ResourceWriteRequest([9, 8, 7], new ResourcePolicy(["sim"])), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        using var key = ResourceEnvelope.CreateRecipientKey();
        byte[] runtime = ResourceEnvelope.ExportRuntimeData(key);
        var challenge = await ServiceClient.ChallengeAsync(clientA);
        var request = new AttestationRequest(challenge.SessionId, "sim", _enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, runtime)), null, runtime);

        var verdict = await ServiceClient.AttestAsync(clientB, request);
        using var replayOnA = await ServiceClient.PostAttestationAsync(clientA, request);
        using var release = new HttpRequestMessage(HttpMethod.Get, "/resources/kbs/key/db") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", verdict.Token) } };
        using var released = await clientA.SendAsync(release);
        var body = await released.Content.ReadFromJsonAsync<ResourceResponse>(ServiceClient.Json);

        Assert.Equal(AttestationStatus.Affirming, verdict.Status);
        await ServiceClient.AssertProblemAsync(replayOnA, 404, ServiceErrorCodes.ChallengeUnknown);
        Assert.Equal(new byte[] { 9, 8, 7 }, ResourceEnvelope.Open(key, body!.Envelope, "kbs/key/db"));
        Assert.Equal(await clientA.GetStringAsync(AttestationServiceRoutes.Jwks), await clientB.GetStringAsync(AttestationServiceRoutes.Jwks));
    }

    [PostgresFact]
    public async Task Of_concurrent_If_Match_writers_on_two_instances_exactly_one_wins()
    {
        var a = Instance();
        var b = Instance();
        using var admin = a.Admin();
        await ServiceClient.PutPolicyAsync(admin, "race", "{}");
        const int Writers = 10;

        var statuses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            using var client = (i % 2 == 0 ? a : b).Admin();
            using var document = JsonDocument.Parse($$"""{"minimumSecurityVersion":{{i}}}""");
            using var request = new HttpRequestMessage(HttpMethod.Put, "/policies/race")
            {
                Content = JsonContent.Create(new PolicyWriteRequest(document.RootElement.Clone()), options: ServiceClient.Json),
                Headers = { IfMatch = { new EntityTagHeaderValue("\"1\"") } },
            };
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(Writers - 1, statuses.Count(s => s == 412));
        Assert.Equal(2, (await admin.GetFromJsonAsync<PolicyDocument>("/policies/race", ServiceClient.Json))!.Version);
    }

    [PostgresFact]
    public async Task Instances_that_find_rotation_due_together_add_one_key_and_honour_each_others_tokens_after_the_switch()
    {
        var clock = new ManualClock();
        var settings = Operations.ManualMaintenance.Settings(new() { ["AttestationService:Operations:KeyRotationInterval"] = "01:00:00" });
        var a = Instance(clock: clock, extra: settings);
        var b = Instance(clock: clock, extra: settings);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        using var admin = a.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using (var put = await admin.PutAsJsonAsync("/resources/kbs/key/db", new ResourceWriteRequest([5], new ResourcePolicy(["sim"])), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        clock.Advance(TimeSpan.FromHours(1));
        var maintenance = new[] { a, b }.Select(f => f.Services.GetRequiredService<SecGear.AttestationService.Operations.MaintenanceService>()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => maintenance[i % 2].RunOnceAsync()));
        string jwksA = await clientA.GetStringAsync(AttestationServiceRoutes.Jwks);

        clock.Advance(TimeSpan.FromMinutes(5));
        using var key = ResourceEnvelope.CreateRecipientKey();
        byte[] runtime = ResourceEnvelope.ExportRuntimeData(key);
        var fromB = await ServiceClient.AttestAsync(clientB, _enclave, "sim", runtime);
        using var release = new HttpRequestMessage(HttpMethod.Get, "/resources/kbs/key/db") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", fromB.Token) } };
        using var released = await clientA.SendAsync(release);

        Assert.Equal(2, new Microsoft.IdentityModel.Tokens.JsonWebKeySet(jwksA).Keys.Count);
        Assert.Equal(jwksA, await clientB.GetStringAsync(AttestationServiceRoutes.Jwks));
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.Equal(
            a.Services.GetRequiredService<SecGear.AttestationService.Security.TokenService>().CurrentKeyId,
            new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(fromB.Token).Kid);
    }

    [PostgresFact]
    public async Task A_version_1_database_is_migrated_once_by_instances_starting_together_and_served_by_both()
    {
        var a = Instance(extra: Operations.ManualMaintenance.Settings());
        using (var jwks = a.CreateClient())
        {
            Assert.Single(new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await jwks.GetStringAsync(AttestationServiceRoutes.Jwks)).Keys);
        }

        Execute($"ALTER TABLE {_schema}.signing_keys DROP COLUMN activates_at; ALTER TABLE {_schema}.audit DROP COLUMN tee; "
            + $"ALTER TABLE {_schema}.audit DROP COLUMN measurement; UPDATE {_schema}.schema_version SET version = 1");
        var b = Instance(extra: Operations.ManualMaintenance.Settings());
        var c = Instance(extra: Operations.ManualMaintenance.Settings());
        // Both start at once: the schema lock lets one migrate while the other waits and then finds version 2.
        var started = await Task.WhenAll(Task.Run(b.CreateClient), Task.Run(c.CreateClient));
        using var clientB = started[0];
        using var clientC = started[1];
        using var admin = b.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        var verdict = await ServiceClient.AttestAsync(clientC, _enclave, "sim");
        var audit = await admin.GetFromJsonAsync<AuditEvent[]>("/audit?verdict=affirming", ServiceClient.Json);

        Assert.Equal(AttestationStatus.Affirming, verdict.Status);
        Assert.Equal("Simulation", Assert.Single(audit!).Tee);
        Assert.Equal(await clientB.GetStringAsync(AttestationServiceRoutes.Jwks), await clientC.GetStringAsync(AttestationServiceRoutes.Jwks));
    }

    [PostgresFact]
    public void An_unreachable_database_stops_the_service_with_a_clear_error()
    {
        var unreachable = Instance(new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = 1, Timeout = 2 }.ConnectionString);

        var error = Assert.ThrowsAny<Exception>(() => unreachable.CreateClient());

        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.Contains(messages, m => m.Contains("postgresql://127.0.0.1:1/", StringComparison.Ordinal) && m.Contains("unavailable", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        foreach (var (factory, directory) in _instances)
        {
            factory.Dispose();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        if (_baseConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            Execute($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        }

        _enclave.Dispose();
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_baseConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The schema name is generated by the test from a GUID.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }
}
