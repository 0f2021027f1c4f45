using BenchmarkDotNet.Attributes;
using SecGear.FederatedSql.Coordinator;
using SecGear.Host;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.FederatedSql.Benchmarks;

/// <summary>
/// End-to-end latency of one federated query over sites A, B and C (separate processes, DuckDB, orders only) whose
/// partial results hold <see cref="PartialGroups"/> groups in total (one per order), merged inside the enclave
/// (simulation engine: its own process, shared memory) against the same federation merging in A's host process (the
/// in-process engine: the same code, channel and crypto, without the enclave boundary). The ratio is the cost of the
/// enclave. The sites stream their partial rows in records of at most 512 KiB and the enclave merges each record as it
/// arrives, so no party holds a whole partial result; the enclave holds the merged groups (one per order).
/// </summary>
public abstract class FederatedQueryBenchmarkBase
{
    private const string Sql = "SELECT o_orderkey, SUM(o_totalprice) AS total, COUNT(*) FROM orders GROUP BY o_orderkey ORDER BY total DESC, o_orderkey LIMIT 10";
    private readonly List<LocalSiteProcess> _sites = [];
    private FederatedSqlCoordinator? _enclave;
    private FederatedSqlCoordinator? _hostProcess;
    private DirectoryInfo? _keys;

    /// <summary>The partial groups of the query, in total over the three sites.</summary>
    [ParamsSource(nameof(Sizes))]
    public int PartialGroups { get; set; }

    /// <summary>The sizes this class measures.</summary>
    public abstract IEnumerable<int> Sizes { get; }

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
            // Loading 10 M orders into three DuckDB processes on a shared 2-core machine takes minutes.
            _sites.Add(await LocalSiteProcess.StartAsync(siteDll, names[i], [.. LocalSiteProcess.DataAndPinArguments(PartialGroups, i, names.Length, identity.MeasurementHex, identity.SignerHex), "--orders-only", "--allow-in-process", "--ca", ca, .. roster.SiteArguments(names[i])], startTimeout: TimeSpan.FromMinutes(30)));
        }

        var endpoints = _sites.Select(s => s.Endpoint).ToList();
        var timeout = TimeSpan.FromMinutes(15);
        _enclave = FederatedSqlCoordinator.Start(new CoordinatorOptions { ImagePath = image, Sites = endpoints, Roster = roster.Config, EnclaveType = EnclaveType.Simulation, SiteTimeout = timeout });
        _hostProcess = FederatedSqlCoordinator.Start(new CoordinatorOptions { ImagePath = image, Sites = endpoints, Roster = roster.Config, EnclaveType = EnclaveType.InProcess, SiteTimeout = timeout });
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

/// <summary>1 k and 100 k partial groups: 2 warm-ups and 15 measured queries per arm.</summary>
[Config(typeof(QueryConfig))]
public class FederatedQueryBenchmarks : FederatedQueryBenchmarkBase
{
    /// <inheritdoc />
    public override IEnumerable<int> Sizes => [1_000, 100_000];
}

/// <summary>10 M partial groups: a query takes about a minute, so 1 warm-up and 3 measured queries per arm.</summary>
[Config(typeof(LargeQueryConfig))]
public class LargeFederatedQueryBenchmarks : FederatedQueryBenchmarkBase
{
    /// <inheritdoc />
    public override IEnumerable<int> Sizes => [10_000_000];
}
