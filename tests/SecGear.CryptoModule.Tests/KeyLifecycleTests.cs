using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using SecGear.CryptoModule.Client;

namespace SecGear.CryptoModule.Tests;

/// <summary>Key attributes, tenants and refusals: every bad input gets its typed problem, nothing crashes.</summary>
public sealed class KeyLifecycleTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("lifecycle");
    private CryptoModuleClient Client => fixture.Tenant;

    [Fact]
    public async Task Rotation_keeps_old_versions_for_decryption_and_encrypts_with_the_new_one()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "rotating");
        var before = await Client.EncryptAsync(key.Id, new EncryptRequest(Message));
        var rotated = await Client.RotateKeyAsync(key.Id);
        Assert.Equal(2u, rotated.PrimaryVersion);
        var after = await Client.EncryptAsync(key.Id, new EncryptRequest(Message));
        Assert.Equal(2u, after.Version);
        Assert.Equal(Message, (await Client.DecryptAsync(key.Id, new DecryptRequest(before.Ciphertext, Scheme.Gcm, before.Iv, Version: 1))).Plaintext);
        var wrongVersion = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            Client.DecryptAsync(key.Id, new DecryptRequest(before.Ciphertext, Scheme.Gcm, before.Iv, Version: 2)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, wrongVersion.Code);
        var missing = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            Client.DecryptAsync(key.Id, new DecryptRequest(before.Ciphertext, Scheme.Gcm, before.Iv, Version: 9)));
        Assert.Equal(CryptoModuleErrorCodes.KeyVersionNotFound, missing.Code);
    }

    [Fact]
    public async Task Concurrent_rotations_either_commit_or_answer_ConcurrentRotation_and_versions_stay_dense()
    {
        var key = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        var attempts = Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Client.RotateKeyAsync(key.Id);
                return "ok";
            }
            catch (CryptoModuleException ex)
            {
                return ex.Code;
            }
        });
        string[] outcomes = await Task.WhenAll(attempts);
        Assert.All(outcomes, o => Assert.Contains(o, new[] { "ok", CryptoModuleErrorCodes.ConcurrentRotation }));
        var final = await Client.GetKeyAsync(key.Id);
        Assert.Equal(1 + outcomes.Count(o => o == "ok"), (int)final.PrimaryVersion);
        Assert.Equal(Enumerable.Range(1, (int)final.PrimaryVersion).Select(v => (uint)v), final.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Disabled_key_is_refused_until_enabled_and_a_destroyed_key_is_gone_with_its_blobs()
    {
        var key = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        await Client.DisableKeyAsync(key.Id);
        var disabled = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.SignAsync(key.Id, new SignRequest(Message)));
        Assert.Equal((CryptoModuleErrorCodes.KeyDisabled, 409), (disabled.Code, disabled.StatusCode));
        await Client.EnableKeyAsync(key.Id);
        await Client.SignAsync(key.Id, new SignRequest(Message));

        await Client.DestroyKeyAsync(key.Id);
        var destroyed = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.SignAsync(key.Id, new SignRequest(Message)));
        Assert.Equal((CryptoModuleErrorCodes.KeyDestroyed, 410), (destroyed.Code, destroyed.StatusCode));
        Assert.Equal(0L, CountBlobBytes("tenant-a", key.Id));
    }

    [Fact]
    public async Task Another_tenant_cannot_see_or_use_a_key_and_a_wrong_credential_is_refused()
    {
        var key = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        string other = (await fixture.Admin.CreateTenantAsync("tenant-b-" + Guid.NewGuid().ToString("N")[..6])).Credential;
        var b = new CryptoModuleClient(fixture.Http, other);
        var notFound = await Assert.ThrowsAsync<CryptoModuleException>(() => b.SignAsync(key.Id, new SignRequest(Message)));
        Assert.Equal(CryptoModuleErrorCodes.KeyNotFound, notFound.Code);
        Assert.DoesNotContain((await b.ListKeysAsync()).Keys, k => k.Id == key.Id);

        var forged = new CryptoModuleClient(fixture.Http, "tenant-a.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        var unauthenticated = await Assert.ThrowsAsync<CryptoModuleException>(() => forged.ListKeysAsync());
        Assert.Equal((CryptoModuleErrorCodes.Unauthenticated, 401), (unauthenticated.Code, unauthenticated.StatusCode));
        var noAdmin = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.CreateTenantAsync("sneaky"));
        Assert.Equal(CryptoModuleErrorCodes.Unauthenticated, noAdmin.Code);
    }

    [Fact]
    public async Task Wrong_usage_and_impossible_spec_usage_pairs_are_typed_refusals()
    {
        var signing = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        var wrongUsage = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.EncryptAsync(signing.Id, new EncryptRequest(Message)));
        Assert.Equal(CryptoModuleErrorCodes.WrongKeyUsage, wrongUsage.Code);
        var impossible = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Sign));
        Assert.Equal(CryptoModuleErrorCodes.UnsupportedAlgorithm, impossible.Code);
        var badScheme = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.SignAsync(signing.Id, new SignRequest(Message, Scheme.RsaPssSha256)));
        Assert.Equal(CryptoModuleErrorCodes.UnsupportedAlgorithm, badScheme.Code);
        var duplicate = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign, signing.Id));
        Assert.Equal(CryptoModuleErrorCodes.AlreadyExists, duplicate.Code);
    }

    [Theory]
    [InlineData("{not json", CryptoModuleErrorCodes.MalformedRequest, 400)]
    [InlineData("{\"spec\":\"Quantum\",\"usage\":\"Sign\"}", CryptoModuleErrorCodes.MalformedRequest, 400)]
    [InlineData("{\"spec\":\"EcP256\",\"usage\":\"Sign\",\"id\":\"bad id with spaces\"}", CryptoModuleErrorCodes.MalformedRequest, 400)]
    [InlineData("null", CryptoModuleErrorCodes.MalformedRequest, 400)]
    public async Task Malformed_bodies_get_problem_json_never_a_crash(string body, string code, int status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/keys") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", fixture.Credential);
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"code\":\"{code}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_input_is_PayloadTooLarge_and_an_unknown_route_is_a_problem_too()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var tooLarge = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.EncryptAsync(key.Id, new EncryptRequest(new byte[(4 * 1024 * 1024) + 1])));
        Assert.Equal((CryptoModuleErrorCodes.PayloadTooLarge, 413), (tooLarge.Code, tooLarge.StatusCode));
        using var response = await fixture.Http.GetAsync("v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(CryptoModuleErrorCodes.NotFound, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_moved_to_another_key_in_the_store_does_not_open_in_the_enclave()
    {
        var victim = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        var attacker = await Client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDirectory, "crypto-module.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The untrusted host (or whoever owns the database) copies the victim's wrapped key under the attacker's record.
            command.CommandText = "UPDATE key_versions SET blob = (SELECT blob FROM key_versions WHERE key_id = $victim) WHERE key_id = $attacker";
            command.Parameters.AddWithValue("$victim", victim.Id);
            command.Parameters.AddWithValue("$attacker", attacker.Id);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.SignAsync(attacker.Id, new SignRequest(Message)));
        Assert.Equal(CryptoModuleErrorCodes.KeyBlobInvalid, error.Code);
    }

    [Fact]
    public async Task Audit_records_each_use_with_its_outcome_and_no_data()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        byte[] secret = Encoding.UTF8.GetBytes("audit-must-not-contain-this");
        var encrypted = await Client.EncryptAsync(key.Id, new EncryptRequest(secret));
        await Assert.ThrowsAsync<CryptoModuleException>(() => Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext[..^2], Scheme.Gcm, encrypted.Iv)));
        var audit = (await Client.GetAuditAsync(1000)).Entries.Where(e => e.KeyId == key.Id).ToList();
        Assert.Contains(audit, e => e.Operation == "encrypt" && e.Outcome == "ok");
        Assert.Contains(audit, e => e.Operation == "decrypt" && e.Outcome == CryptoModuleErrorCodes.InvalidCiphertext);
        string all = System.Text.Json.JsonSerializer.Serialize(audit);
        Assert.DoesNotContain(Convert.ToBase64String(secret), all, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(encrypted.Iv!), all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Openapi_document_lists_the_key_routes()
    {
        string document = await fixture.Http.GetStringAsync("openapi/v1.json");
        Assert.Contains("/v1/keys/{id}/sign", document, StringComparison.Ordinal);
        Assert.Contains("/v1/attestation", document, StringComparison.Ordinal);
    }

    private long CountBlobBytes(string tenant, string keyId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDirectory, "crypto-module.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(length(blob)), 0) FROM key_versions WHERE tenant = $t AND key_id = $k";
        command.Parameters.AddWithValue("$t", tenant);
        command.Parameters.AddWithValue("$k", keyId);
        return (long)command.ExecuteScalar()!;
    }
}
