using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace SecGear.AttestationService.Tests.Service;

public sealed class StorageFaultTests : ServiceTestBase
{
    private string DatabasePath => Path.Combine(DataDirectory, "attestation.db");

    [Fact]
    public async Task A_locked_database_gives_StorageUnavailable_with_Retry_After_and_loses_nothing()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "p", """{"allowSimulation":true}""");
        using var client = Factory.CreateClient();

        using (var locker = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            locker.Open();
            using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            using var challenge = await client.PostAsync(AttestationServiceRoutes.Challenge, null);
            await ServiceClient.AssertProblemAsync(challenge, 503, ServiceErrorCodes.StorageUnavailable);
            Assert.NotNull(challenge.Headers.RetryAfter);

            using var write = await admin.PutAsJsonAsync("/policies/p", new PolicyWriteRequest(System.Text.Json.JsonDocument.Parse("{}").RootElement), ServiceClient.Json);
            await ServiceClient.AssertProblemAsync(write, 503, ServiceErrorCodes.StorageUnavailable);

            // Writers queued behind the lock give up within about one busy timeout (300 ms here), not one after another.
            var started = System.Diagnostics.Stopwatch.StartNew();
            var queued = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var response = await client.PostAsync(AttestationServiceRoutes.Challenge, null);
                return (int)response.StatusCode;
            }));
            Assert.All(queued, status => Assert.Equal(503, status));
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"8 queued writers took {started.Elapsed}");

            using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        var stored = await admin.GetFromJsonAsync<PolicyDocument>("/policies/p", ServiceClient.Json);
        Assert.Equal(1, stored!.Version);
        Assert.True(stored.Policy.GetProperty("allowSimulation").GetBoolean());
        Assert.Equal(AttestationStatus.Affirming, (await ServiceClient.AttestAsync(client, Enclave, "p")).Status);
    }

    [Fact]
    public async Task A_database_file_removed_under_the_service_gives_StorageUnavailable_not_a_new_empty_database()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "p", "{}");
        var moved = DatabasePath + ".moved";
        File.Move(DatabasePath, moved);
        try
        {
            using var client = Factory.CreateClient();
            using var response = await client.PostAsync(AttestationServiceRoutes.Challenge, null);

            var problem = await ServiceClient.AssertProblemAsync(response, 503, ServiceErrorCodes.StorageUnavailable);
            Assert.False(File.Exists(DatabasePath));
            Assert.DoesNotContain(DataDirectory, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Move(moved, DatabasePath);
        }

        var stored = await admin.GetFromJsonAsync<PolicyDocument>("/policies/p", ServiceClient.Json);
        Assert.Equal(1, stored!.Version);
    }

    [Fact]
    public void A_data_directory_that_cannot_be_created_stops_the_service_with_the_path_in_the_error()
    {
        string blocker = Path.Combine(Path.GetTempPath(), "secgear-as-blocker-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(blocker, "a file where the data directory should be");
        try
        {
            var factory = NewFactory(dataDirectory: Path.Combine(blocker, "data"));

            var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

            Assert.Contains(Path.Combine(blocker, "data"), Flatten(error), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public void A_simulation_trust_anchor_that_cannot_be_read_stops_the_service_at_start_with_its_path()
    {
        string missing = Path.Combine(DataDirectory, "no-such-ca.pem");
        var factory = NewFactory(new Dictionary<string, string?> { ["AttestationService:SimulationTrustAnchors:0"] = missing });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(missing, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_between_challenge_and_attestation_keeps_the_challenge_and_the_signing_key()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "p", """{"allowSimulation":true}""");
        using var first = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(first);
        string jwks = await first.GetStringAsync(AttestationServiceRoutes.Jwks);
        await Factory.DisposeAsync();

        var restarted = NewFactory(clock: Factory.Clock);
        using var second = restarted.CreateClient();
        var evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, []));
        var result = await ServiceClient.AttestAsync(second, new AttestationRequest(challenge.SessionId, "p", evidence));

        Assert.Equal(AttestationStatus.Affirming, result.Status);
        Assert.Equal(jwks, await second.GetStringAsync(AttestationServiceRoutes.Jwks));
    }

    [Fact]
    public async Task A_database_opened_with_another_master_key_is_refused_at_start()
    {
        using (var admin = Factory.Admin())
        {
            await ServiceClient.PutPolicyAsync(admin, "p", "{}");
        }

        await Factory.DisposeAsync();
        var wrongKey = NewFactory(new Dictionary<string, string?> { ["AttestationService:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });

        var error = Assert.ThrowsAny<Exception>(() => wrongKey.CreateClient());

        Assert.Contains("master key", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_master_key_file_is_private_to_its_owner()
    {
        using var client = Factory.CreateClient();

        var mode = File.GetUnixFileMode(Path.Combine(DataDirectory, "master.key"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(32, new FileInfo(Path.Combine(DataDirectory, "master.key")).Length);
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", messages);
    }
}
