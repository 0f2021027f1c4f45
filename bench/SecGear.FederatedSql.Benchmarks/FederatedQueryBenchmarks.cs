using BenchmarkDotNet.Attributes;
using SecGear.FederatedSql.Coordinator;
using SecGear.Host;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.FederatedSql.Benchmarks;

/// <summary>
/// End-to-end latency of one federated query over sites A, B and C (separate processes, DuckDB) whose partial results
/// hold <see cref="PartialGroups"/> groups in total (one per order), merged inside the enclave (simulation engine: its
/// own process, shared memory) against the same federation merging in A's host process (the
/// in-process engine: the same code, channel and crypto, without the enclave boundary). The ratio is the cost of the
/// enclave. 10 M groups is sized down to 1 M: three site processes, the enclave and the reference would need about
/// 10 GB on a 2-core machine shared by eight builds.
/// </summary>
[Config(typeof(QueryConfig))]
public class FederatedQueryBenchmarks
{
    private const string Sql = "SELECT o_orderkey, SUM(o_totalprice) AS total, COUNT(*) FROM orders GROUP BY o_orderkey ORDER BY total DESC, o_orderkey LIMIT 10";
    private readonly List<LocalSiteProcess> _sites = [];
    private FederatedSqlCoordinator? _enclave;
    private FederatedSqlCoordinator? _hostProcess;
    private DirectoryInfo? _keys;

    [Params(1_000, 100_000, 1_000_000)]
    public int PartialGroups { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "merge in A's host process (in-process engine)")]
    public int MergeInHostProcess() => Run(_hostProcess!);

    [Benchmark(Description = "merge inside the enclave (simulation engine)")]
    public int MergeInEnclave() => Run(_enclave!);

    private static int Run(FederatedSqlCoordinator coordinator)
    {
        var result = coordinator.QueryAsync(Sql, 1).GetAwaiter().GetResult();
        return result.Rows.Count == 10 ? 10 : throw new InvalidOperationException($"{result.Rows.Count} rows");
    }

    private async Task SetupAsync()
    {
        string image = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");
        string siteDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Site.path")).Trim();
        var identity = EnclaveImage.Load(image).Identity;
        SimulatedAttestationAuthority.EnsureCaCertificate();
        string ca = SimulatedAttestationAuthority.CaCertificatePath(SimulatedPlatformOptions.DefaultSecretPath);
        string[] names = ["A", "B", "C"];
        _keys = Directory.CreateTempSubdirectory("fedsql-bench-");
        var roster = LocalRoster.Create(_keys.FullName, names, []);
        for (int i = 0; i < names.Length; i++)
        {
            _sites.Add(await LocalSiteProcess.StartAsync(siteDll, names[i], [.. LocalSiteProcess.DataAndPinArguments(PartialGroups, i, names.Length, identity.MeasurementHex, identity.SignerHex), "--ca", ca, .. LocalSiteProcess.RosterArguments(roster.Path, roster.Sites[names[i]])]));
        }

        var endpoints = _sites.Select(s => s.Endpoint).ToList();
        _enclave = FederatedSqlCoordinator.Start(new CoordinatorOptions { ImagePath = image, Sites = endpoints, Roster = roster.Config, EnclaveType = EnclaveType.Simulation });
        _hostProcess = FederatedSqlCoordinator.Start(new CoordinatorOptions { ImagePath = image, Sites = endpoints, Roster = roster.Config, EnclaveType = EnclaveType.InProcess });
    }

    private async Task CleanupAsync()
    {
        if (_enclave is not null)
        {
            await _enclave.DisposeAsync();
        }

        if (_hostProcess is not null)
        {
            await _hostProcess.DisposeAsync();
        }

        foreach (var site in _sites)
        {
            await site.DisposeAsync();
        }

        _sites.Clear();
        _keys?.Delete(recursive: true);
    }
}
