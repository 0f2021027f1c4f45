using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site;
using SecGear.FederatedSql.Site.Engines;

namespace SecGear.FederatedSql.Tests;

/// <summary>A site keeps the newest signed roster it accepted across restarts, so a restart does not reopen replays.</summary>
public sealed class RosterStateTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fedsql-roster-state-");
    private readonly LocalRoster _roster;

    public RosterStateTests() => _roster = LocalRoster.Create(_directory.FullName, ["A", "B"], ["alice"]);

    [Fact]
    public async Task A_restarted_site_keeps_the_newer_roster_version_it_accepted_and_refuses_the_pinned_one_as_a_replay()
    {
        var newer = _roster.Sign(_roster.Config with { Version = 2, MinGroupRowsFloor = 2 });
        await using (var first = Start())
        {
            Assert.Equal(1, first.AcceptedRoster.Version);
            Assert.Null(first.Accepted(newer));
            Assert.True(File.Exists(first.RosterStatePath));
        }

        await using var restarted = Start();

        Assert.Equal(2, restarted.AcceptedRoster.Version);
        Assert.Null(FederationRoster.Refusal(restarted.AcceptedRoster, newer, restarted.RosterSigner));
        // A's host shows the pinned version 1 again: before this change a restarted site took it.
        Assert.Contains("roster version 1 is older than the pinned version 2", FederationRoster.Refusal(restarted.AcceptedRoster, _roster.Config, restarted.RosterSigner), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_version_shown_later_does_not_lower_the_kept_floor()
    {
        await using (var first = Start())
        {
            first.Accepted(_roster.Sign(_roster.Config with { Version = 3 }));
            first.Accepted(_roster.Sign(_roster.Config with { Version = 2 }));
        }

        await using var restarted = Start();

        Assert.Equal(3, restarted.AcceptedRoster.Version);
    }

    public static TheoryData<string, string> BadState => new()
    {
        { "not JSON", "cannot be read" },
        { "edited", "signature does not verify" },
        { "foreign", "signature does not verify" },
    };

    [Theory]
    [MemberData(nameof(BadState))]
    public void A_site_refuses_to_start_on_a_roster_state_file_that_is_not_a_roster_its_signer_signed(string kind, string expected)
    {
        string path = SiteRuntime.DefaultRosterStatePath(Options());
        var newer = _roster.Sign(_roster.Config with { Version = 5 });
        byte[] content = kind switch
        {
            "not JSON" => "{\"Sites\": 7"u8.ToArray(),
            // Someone lowers the k floor of the kept roster, or writes a roster signed by a key the site did not pin.
            "edited" => FederationRoster.Shown(newer with { MinGroupRowsFloor = 1, Version = 6 }),
            _ => FederationRoster.Shown(ForeignSigned(newer)),
        };
        File.WriteAllBytes(path, content);

        var ex = Assert.Throws<FederatedSqlException>(() => Start());

        Assert.Equal(FederatedSqlFailureCode.RosterMismatch, ex.Code);
        Assert.Contains("the remembered roster", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_roster_state_file_without_a_roster_signer_is_a_usage_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => SiteOptions.Parse(
            ["--name", "A", "--measurement", new string('1', 64), "--signer", new string('2', 64), "--roster", _roster.Path, "--roster-state", "x"]));

        Assert.Contains("--roster-state needs --roster-signer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_file_that_cannot_be_written_is_reported_and_the_floor_still_holds_in_memory()
    {
        var options = Options();
        options.RosterStatePath = Path.Combine(_directory.FullName, "no-such-folder", "state");
        await using var site = Start(options);

        string? problem = site.Accepted(_roster.Sign(_roster.Config with { Version = 2 }));

        Assert.NotNull(problem);
        Assert.Contains("cannot write", problem, StringComparison.Ordinal);
        Assert.Equal(2, site.AcceptedRoster.Version);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private SiteOptions Options()
    {
        return SiteOptions.Parse(
        [
            "--name", "A", "--measurement", new string('1', 64), "--signer", new string('2', 64), "--ca", Federation.CaPath,
            .. _roster.SiteArguments("A"),
        ]);
    }

    private SiteRuntime Start(SiteOptions? options = null)
    {
        options ??= Options();
        var engine = new DuckDbEngine();
        try
        {
            return new SiteRuntime(options, engine, SiteIdentity.Load(options.CertificatePath!, options.KeyPath!));
        }
        catch
        {
            engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    private static FederationConfig ForeignSigned(FederationConfig config)
    {
        using var stranger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return FederationRoster.Sign(config, stranger);
    }
}
