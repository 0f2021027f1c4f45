using System.Collections.Concurrent;
using DuckDB.NET.Data;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Site.Engines;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.FederatedSql.Tests;

/// <summary>Sites as processes on 127.0.0.1, a coordinator with its enclave, the host's log and every relayed frame.</summary>
public sealed class Federation : IAsyncDisposable
{
    public const long Orders = 3000;
    public static readonly string ImagePath = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");
    public static readonly string SiteDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Site.path")).Trim();

    private readonly StringWriter _log = new();

    private Federation(List<LocalSiteProcess> sites) => Sites = sites;

    public List<LocalSiteProcess> Sites { get; }

    public FederatedSqlCoordinator Coordinator { get; private set; } = null!;

    public ConcurrentQueue<RelayedFrame> Relayed { get; } = new();

    /// <summary>Replaces the relay's behaviour (tamper, replay, kill a site); null forwards as is.</summary>
    public Func<RelayedFrame, byte[]>? Interfere { get; set; }

    public string HostLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string CaPath
    {
        get
        {
            SimulatedAttestationAuthority.EnsureCaCertificate();
            return SimulatedAttestationAuthority.CaCertificatePath(SimulatedPlatformOptions.DefaultSecretPath);
        }
    }

    /// <summary>Starts sites named <paramref name="names"/>, holding parts 0..n-1 of the data set; extra arguments per site by name.</summary>
    public static async Task<Federation> StartAsync(string[] names, Func<string, int, IEnumerable<string>>? extra = null)
    {
        var identity = EnclaveImage.Load(ImagePath).Identity;
        var starts = names.Select((name, index) => LocalSiteProcess.StartAsync(
            SiteDll,
            name,
            extra?.Invoke(name, index) ?? [.. LocalSiteProcess.DataAndPinArguments(Orders, index, names.Length, identity.MeasurementHex, identity.SignerHex), "--ca", CaPath])).ToList();
        var sites = new List<LocalSiteProcess>();
        foreach (var start in starts)
        {
            sites.Add(await start);
        }

        var federation = new Federation(sites);
        var log = TextWriter.Synchronized(federation._log);
        federation.Coordinator = FederatedSqlCoordinator.Start(new CoordinatorOptions
        {
            ImagePath = ImagePath,
            Sites = sites.Select(s => s.Endpoint).ToList(),
            Log = log,
            SiteTimeout = TimeSpan.FromSeconds(60),
            Relay = frame =>
            {
                federation.Relayed.Enqueue(frame);
                return federation.Interfere?.Invoke(frame) ?? frame.Frame;
            },
        });
        return federation;
    }

    public static string[] PinArguments(long orders, int index, int sites)
    {
        var identity = EnclaveImage.Load(ImagePath).Identity;
        return [.. LocalSiteProcess.DataAndPinArguments(orders, index, sites, identity.MeasurementHex, identity.SignerHex), "--ca", CaPath];
    }

    /// <summary>Runs <paramref name="sql"/> on one DuckDB holding the whole data set (or one site's part).</summary>
    public static List<object?[]> Reference(string sql, int? site = null, int sites = 3)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        DuckDbEngine.LoadInto(connection, Orders, site, sites).GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = LocalEngine.Normalize(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (Coordinator is not null)
        {
            await Coordinator.DisposeAsync();
        }

        foreach (var site in Sites)
        {
            await site.DisposeAsync();
        }
    }
}

/// <summary>One three-site federation shared by the tests of a class.</summary>
public sealed class FederationFixture : IAsyncLifetime
{
    public Federation Federation { get; private set; } = null!;

    public async Task InitializeAsync() => Federation = await Federation.StartAsync(["A", "B", "C"]);

    public async Task DisposeAsync() => await Federation.DisposeAsync();
}
