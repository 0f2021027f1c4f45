using System.Text.Json;
using SecGear.Cli;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Results;
using SecGear.Images;

namespace SecGear.FederatedSql.Tests;

/// <summary>`secgear fedsql query`: the analyst's command line against the coordinator service.</summary>
public sealed class QueryCommandTests(AnalystFederationFixture fixture) : IClassFixture<AnalystFederationFixture>, IDisposable
{
    private const string Sql = "SELECT o_orderstatus, COUNT(*), SUM(o_totalprice) FROM orders GROUP BY o_orderstatus ORDER BY 1";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fedsql-cli-");

    [Fact]
    public void The_analyst_gets_the_answer_the_reference_engine_gives_as_text_and_as_json()
    {
        var (code, text, error) = Run(Policy(EnclaveImage.Load(Federation.ImagePath).Identity.MeasurementHex));
        Assert.True(code == 0, error);
        var (jsonCode, json, jsonError) = Run(Policy(EnclaveImage.Load(Federation.ImagePath).Identity.MeasurementHex), "--json");
        Assert.True(jsonCode == 0, jsonError);

        var reference = Federation.Reference(QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 2).ReferenceSql);
        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(reference.Count + 2, lines.Length);
        Assert.Equal(reference.Select(r => (string)r[0]!), lines[1..^1].Select(l => l.Split('\t')[0]));
        Assert.Equal(reference.Select(r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture)), lines[1..^1].Select(l => long.Parse(l.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal($"({reference.Count} rows; 0 groups suppressed by the disclosure policy)", lines[^1]);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(reference.Count, document.RootElement.GetProperty("rows").GetArrayLength());
        Assert.Equal(3, document.RootElement.GetProperty("columns").GetArrayLength());
    }

    [Fact]
    public void A_policy_pinning_another_enclave_is_a_one_line_refusal_and_no_answer()
    {
        var (code, output, error) = Run(Policy(new string('0', 64)));

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("secgear fedsql query: AnswerNotReleased:", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_policy_file_that_is_not_a_policy_is_a_one_line_error()
    {
        File.WriteAllText(Path.Combine(_directory.FullName, "policy.json"), "{ \"allowSimulation\": tru");

        var (code, _, error) = Run(Path.Combine(_directory.FullName, "policy.json"));

        Assert.Equal(1, code);
        Assert.StartsWith("secgear fedsql query: error:", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Nothing_answering_at_the_url_is_exit_code_3_in_one_line()
    {
        var keys = fixture.Federation.Roster.Analysts["alice"];
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = SecGearCli.Run(
            ["fedsql", "query", Sql, "--url", "http://127.0.0.1:1", "--analyst", "alice", "--key", keys.KeyPath, "--certificate", keys.CertificatePath,
             "--policy", Policy(new string('0', 64))],
            output,
            error);

        Assert.Equal(3, code);
        Assert.StartsWith("secgear fedsql query: InvalidState: the coordinator service failed (Unavailable", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Trim().Split('\n'));
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private string Policy(string measurement)
    {
        string path = Path.Combine(_directory.FullName, $"policy-{measurement[..8]}.json");
        File.WriteAllText(path, $$"""{ "allowSimulation": true, "allowedUniqueIds": ["{{measurement}}"] }""");
        return path;
    }

    private (int Code, string Output, string Error) Run(string policy, params string[] extra)
    {
        var federation = fixture.Federation;
        var keys = federation.Roster.Analysts["alice"];
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SecGearCli.Run(
            ["fedsql", "query", Sql, "--url", federation.Service!.Address.ToString(), "--analyst", "alice", "--key", keys.KeyPath,
             "--certificate", keys.CertificatePath, "--policy", policy, "--simulation-ca", Federation.CaPath, "--min-group-rows", "2", .. extra],
            output,
            error);
        return (code, output.ToString(), error.ToString());
    }
}
