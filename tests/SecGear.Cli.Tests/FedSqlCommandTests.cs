using System.Security.Cryptography;
using SecGear.FederatedSql.Protocol;

namespace SecGear.Cli.Tests;

public sealed class FedSqlCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly FederationConfig Roster = new(
        [new SiteEntry("B", new string('b', 64)), new SiteEntry("A", new string('A', 64))],
        MinGroupRowsFloor: 3,
        Analysts: [new SiteEntry("alice", new string('c', 64))]);

    [Fact]
    public void Roster_sign_writes_a_roster_a_site_pinning_the_keygen_public_key_accepts_and_an_edit_breaks()
    {
        _cli.Ok("keygen", "--out", _cli.Path("signer.pem"), "--public-out", _cli.Path("signer.pub.pem"));
        File.WriteAllBytes(_cli.Path("roster.json"), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Roster));

        string output = _cli.Ok("fedsql", "roster-sign", _cli.Path("roster.json"), "--key", _cli.Path("signer.pem"), "--version", "4", "--out", _cli.Path("signed.json"));

        using var signer = ECDsa.Create();
        signer.ImportFromPem(File.ReadAllText(_cli.Path("signer.pub.pem")));
        var signed = FederationRoster.Parse(File.ReadAllBytes(_cli.Path("signed.json")));
        Assert.Equal(4, signed.Version);
        Assert.Null(FederationRoster.SignatureProblem(signed, signer));
        Assert.Null(FederationRoster.Refusal(signed, signed, signer));
        Assert.Contains($"roster: {FederationRoster.Digest(signed)}", output, StringComparison.Ordinal);
        Assert.NotNull(FederationRoster.SignatureProblem(signed with { Analysts = [.. signed.Analysts!, new SiteEntry("mallory", new string('f', 64))] }, signer));
    }

    [Fact]
    public void Roster_sign_refuses_a_file_that_is_not_a_roster_in_one_line_and_writes_nothing()
    {
        _cli.Ok("keygen", "--out", _cli.Path("signer.pem"));
        File.WriteAllText(_cli.Path("roster.json"), "{\"Sites\": 7}");

        var (code, _, error) = _cli.Run("fedsql", "roster-sign", _cli.Path("roster.json"), "--key", _cli.Path("signer.pem"), "--out", _cli.Path("signed.json"));

        Assert.Equal(1, code);
        Assert.StartsWith("secgear fedsql roster-sign: error: the roster is not JSON of the documented form", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(_cli.Path("signed.json")));
    }
}
