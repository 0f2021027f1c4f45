using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Operations;

public sealed class KeyRotationTests : ServiceTestBase
{
    private static string KeyIdOf(string token) => new JsonWebToken(token).Kid;

    private static async Task<string[]> JwksKeyIdsAsync(HttpClient client) =>
        [.. new JsonWebKeySet(await client.GetStringAsync(AttestationServiceRoutes.Jwks)).Keys.Select(k => k.Kid)];

    private static async Task<int> ReleaseStatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/resources/kbs/key/db") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private async Task<(ServiceFactory Factory, HttpClient Admin, HttpClient Client)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var factory = NewFactory(ManualMaintenance.Settings(extra), Path.Combine(DataDirectory, "rotation"));
        var admin = Own(factory.Admin());
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using (var put = await admin.PutAsJsonAsync("/resources/kbs/key/db", new ResourceWriteRequest([1], new ResourcePolicy(["sim"])), ServiceClient.Json))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        return (factory, admin, Own(factory.CreateClient()));
    }

    [Fact]
    public async Task A_rotated_key_is_published_first_signs_after_the_publish_ahead_and_the_old_key_stays_until_its_tokens_expired()
    {
        var (factory, admin, client) = await StartAsync();
        var maintenance = factory.Services.GetRequiredService<MaintenanceService>();
        var oldToken = (await ServiceClient.AttestAsync(client, Enclave, "sim", ResourceEnvelope.ExportRuntimeData(Own(ResourceEnvelope.CreateRecipientKey())))).Token!;
        string oldKid = KeyIdOf(oldToken);

        using var rotate = await admin.PostAsync("/keys/rotate", null);
        var status = await rotate.Content.ReadFromJsonAsync<SigningKeyStatus>(ServiceClient.Json);
        string newKid = status!.Keys.Single(k => k.State == "pending").KeyId;

        Assert.True(status.Rotated);
        Assert.Equal(new[] { oldKid, newKid }.Order(StringComparer.Ordinal), (await JwksKeyIdsAsync(client)).Order(StringComparer.Ordinal));
        Assert.Equal(oldKid, KeyIdOf((await ServiceClient.AttestAsync(client, Enclave, "sim")).Token!));

        // The last token the old key signs, just before the switch, stays valid for a full token lifetime.
        factory.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var lastOldToken = (await ServiceClient.AttestAsync(client, Enclave, "sim", ResourceEnvelope.ExportRuntimeData(Own(ResourceEnvelope.CreateRecipientKey())))).Token!;
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var newToken = (await ServiceClient.AttestAsync(client, Enclave, "sim")).Token!;
        Assert.Equal(oldKid, KeyIdOf(lastOldToken));
        Assert.Equal(newKid, KeyIdOf(newToken));

        factory.Clock.Advance(TimeSpan.FromMinutes(4.5));
        await maintenance.RunOnceAsync();
        Assert.Contains(oldKid, await JwksKeyIdsAsync(client));
        Assert.Equal(200, await ReleaseStatusAsync(client, lastOldToken));

        // Switch + token lifetime (5 min) + margin (1 min): no token of the old key can be valid; it is retired.
        factory.Clock.Advance(TimeSpan.FromMinutes(1.5) + TimeSpan.FromSeconds(1));
        await maintenance.RunOnceAsync();
        Assert.Equal([newKid], await JwksKeyIdsAsync(client));
        using var keys = await admin.GetAsync("/keys");
        var after = await keys.Content.ReadFromJsonAsync<SigningKeyStatus>(ServiceClient.Json);
        Assert.Equal("active", Assert.Single(after!.Keys).State);
        Assert.Equal(401, await ReleaseStatusAsync(client, lastOldToken));
    }

    [Fact]
    public async Task Rotation_is_scheduled_by_the_age_of_the_newest_key()
    {
        var (factory, admin, client) = await StartAsync(new() { ["AttestationService:Operations:KeyRotationInterval"] = "01:00:00" });
        var maintenance = factory.Services.GetRequiredService<MaintenanceService>();

        factory.Clock.Advance(TimeSpan.FromMinutes(59));
        await maintenance.RunOnceAsync();
        Assert.Single(await JwksKeyIdsAsync(client));

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await maintenance.RunOnceAsync();
        await maintenance.RunOnceAsync();
        var status = await admin.GetFromJsonAsync<SigningKeyStatus>("/keys", ServiceClient.Json);

        Assert.Equal(2, (await JwksKeyIdsAsync(client)).Length);
        Assert.Equal(["active", "pending"], status!.Keys.Select(k => k.State));
        Assert.Equal(status.Keys[1].CreatedAt + TimeSpan.FromHours(1), status.NextScheduledRotation);
    }

    [Fact]
    public async Task Tokens_with_unknown_key_ids_never_make_the_service_reload_keys_per_request()
    {
        var (factory, _, client) = await StartAsync();
        var tokens = factory.Services.GetRequiredService<TokenService>();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var handler = new JsonWebTokenHandler();
        long before = tokens.ReloadCount;

        for (int i = 0; i < 40; i++)
        {
            var key = new ECDsaSecurityKey(forger) { KeyId = "forged-" + i };
            string forged = handler.CreateToken(
                """{"iss":"urn:secgear:attestation-service","exp":9999999999,"nbf":0}""", new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256));
            Assert.Equal(401, await ReleaseStatusAsync(client, forged));
        }

        Assert.True(tokens.ReloadCount - before <= 1, $"{tokens.ReloadCount - before} reloads for 40 forged tokens");
    }

    [Fact]
    public async Task A_version_1_database_is_migrated_and_its_key_keeps_signing()
    {
        string directory = Path.Combine(DataDirectory, "v1");
        Directory.CreateDirectory(directory);
        string masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string firstKid;
        var settings = ManualMaintenance.Settings(new() { ["AttestationService:MasterKey"] = masterKey });
        using (var first = new ServiceFactory(directory, Enclave.CaCertificatePath, settings: settings))
        {
            using var jwks = first.CreateClient();
            firstKid = Assert.Single(await JwksKeyIdsAsync(jwks));
        }

        // Turn the file back into schema version 1 (as the previous release wrote it).
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "attestation.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE signing_keys DROP COLUMN activates_at; ALTER TABLE audit DROP COLUMN tee; ALTER TABLE audit DROP COLUMN measurement; UPDATE schema_version SET version = 1";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var second = Own(new ServiceFactory(directory, Enclave.CaCertificatePath, settings: settings));
        using var admin = second.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using var client = second.CreateClient();
        var verdict = await ServiceClient.AttestAsync(client, Enclave, "sim");
        var audit = await admin.GetFromJsonAsync<AuditEvent[]>("/audit?verdict=affirming", ServiceClient.Json);

        Assert.Equal(firstKid, KeyIdOf(verdict.Token!));
        Assert.Equal("Simulation", Assert.Single(audit!).Tee);
        using var check = new SqliteConnection($"Data Source={Path.Combine(directory, "attestation.db")};Pooling=False");
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT version FROM schema_version";
        Assert.Equal(2L, (long)version.ExecuteScalar()!);
    }
}
