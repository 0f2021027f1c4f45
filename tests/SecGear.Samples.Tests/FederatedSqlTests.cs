namespace SecGear.Samples.Tests;

public sealed class FederatedSqlTests
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("FederatedSql", "FederatedSql.Host"), "FederatedSql.Host.dll");

    [Fact]
    public void Demo_answers_every_query_like_one_duckdb_over_all_the_data_and_refuses_the_rest()
    {
        var (code, output, error) = SampleRun.Run(HostDll, "--demo", "--orders", "3000");

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("demo: all 6 answers matched and 4 queries were refused", output);
        Assert.Equal(6, output.Split('\n').Count(l => l.StartsWith("check:   MATCHES", StringComparison.Ordinal)));
        Assert.Contains("relay: site C -> enclave  type 5", output);
        // The small-group query: every group has fewer than k contributing rows, so the enclave withholds them all.
        Assert.Matches(@"answer:  0 rows, [1-9][0-9]* groups withheld \(k = 3\)", output);
        Assert.Contains("relay: enclave -> analyst analyst", output);
    }
}
