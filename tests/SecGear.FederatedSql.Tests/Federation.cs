using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using DuckDB.NET.Data;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.FederatedSql.Client;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.CoordinatorService;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site.Engines;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.FederatedSql.Tests;

/// <summary>
/// Sites as processes on 127.0.0.1 with a pinned roster, a coordinator with its enclave (in-process, or behind the
/// coordinator service when the roster names analysts), the host's log and every relayed frame.
/// </summary>
public sealed class Federation : IAsyncDisposable
{
    public const long Orders = 3000;
    public static readonly string ImagePath = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");
    public static readonly string SiteDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Site.path")).Trim();

    private readonly StringWriter _log = new();

    private readonly DirectoryInfo _keys;

    private Federation(List<LocalSiteProcess> sites, LocalRoster roster, DirectoryInfo keys)
    {
        Sites = sites;
        Roster = roster;
        _keys = keys;
    }

    public List<LocalSiteProcess> Sites { get; }

    /// <summary>The roster every site pinned (and its parties' keys).</summary>
    public LocalRoster Roster { get; }

    public FederatedSqlCoordinator Coordinator { get; private set; } = null!;

    /// <summary>The coordinator service, when the roster names analysts.</summary>
    public CoordinatorServiceHost? Service { get; private set; }

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

    /// <summary>
    /// Starts sites named <paramref name="names"/>, holding parts 0..n-1 of the data set (or the data and pin arguments
    /// <paramref name="extra"/> gives per site), each pinning the roster of these sites and <paramref name="analysts"/>.
    /// <paramref name="hostRoster"/> lets A's host configure its enclave with another roster than the sites pinned.
    /// </summary>
    public static async Task<Federation> StartAsync(string[] names, Func<string, int, IEnumerable<string>>? extra = null, string[]? analysts = null, Func<LocalRoster, FederationConfig>? hostRoster = null)
    {
        var keys = Directory.CreateTempSubdirectory("fedsql-test-");
        var roster = LocalRoster.Create(keys.FullName, names, analysts ?? []);
        var starts = names.Select((name, index) => LocalSiteProcess.StartAsync(
            SiteDll,
            name,
            [.. extra?.Invoke(name, index) ?? PinArguments(Orders, index, names.Length), .. roster.SiteArguments(name)])).ToList();
        var sites = new List<LocalSiteProcess>();
        foreach (var start in starts)
        {
            sites.Add(await start);
        }

        var federation = new Federation(sites, roster, keys);
        var log = TextWriter.Synchronized(federation._log);
        var options = new CoordinatorOptions
        {
            ImagePath = ImagePath,
            Sites = sites.Select(s => s.Endpoint).ToList(),
            Roster = hostRoster?.Invoke(roster) ?? roster.Config,
            Log = log,
            SiteTimeout = TimeSpan.FromSeconds(60),
            Relay = frame =>
            {
                federation.Relayed.Enqueue(frame);
                return federation.Interfere?.Invoke(frame) ?? frame.Frame;
            },
        };
        if (roster.Analysts.Count > 0)
        {
            federation.Service = await CoordinatorServiceHost.StartAsync(options);
            federation.Coordinator = federation.Service.Coordinator;
        }
        else
        {
            federation.Coordinator = FederatedSqlCoordinator.Start(options);
        }

        return federation;
    }

    /// <summary>A client of the coordinator service for <paramref name="analyst"/>, with its key (or another party's).</summary>
    public FederatedSqlClient Client(string analyst, PartyKeys? keys = null)
    {
        keys ??= Roster.Analysts[analyst];
        var identity = EnclaveImage.Load(ImagePath).Identity;
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(X509CertificateLoader.LoadCertificateFromFile(CaPath).RawData)));
        return new FederatedSqlClient(new FederatedSqlClientOptions
        {
            Address = Service!.Address,
            Analyst = analyst,
            Credential = SecGear.SecureChannel.ClientCredential.FromCertificate(X509Certificate2.CreateFromPemFile(keys.CertificatePath, keys.KeyPath)),
            Verifier = verifier,
            Policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [identity.Measurement], AllowedSignerIds = [identity.Signer] },
        });
    }

    public static string[] PinArguments(long orders, int index, int sites)
    {
        var identity = EnclaveImage.Load(ImagePath).Identity;
        return [.. LocalSiteProcess.DataAndPinArguments(orders, index, sites, identity.MeasurementHex, identity.SignerHex), "--ca", CaPath];
    }

    /// <summary>
    /// Fails if any of <paramref name="secrets"/> appears in a byte the host relayed (as the row encoding or as text)
    /// or in the host's log.
    /// </summary>
    public void AssertNowhereInHostView(IEnumerable<decimal> secrets)
    {
        byte[] relayed = Relayed.SelectMany(f => f.Frame).ToArray();
        string log = HostLog;
        foreach (decimal secret in secrets)
        {
            var encoded = new RowWriter();
            encoded.WriteValue(secret);
            string text = secret.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(-1, relayed.AsSpan().IndexOf(encoded.WrittenSpan));
            Assert.Equal(-1, relayed.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)));
            Assert.DoesNotContain(text, log, StringComparison.Ordinal);
        }
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
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        else if (Coordinator is not null)
        {
            await Coordinator.DisposeAsync();
        }

        foreach (var site in Sites)
        {
            await site.DisposeAsync();
        }

        _keys.Delete(recursive: true);
    }
}

/// <summary>One three-site federation whose roster names analyst alice, behind the coordinator service.</summary>
public sealed class AnalystFederationFixture : IAsyncLifetime
{
    public Federation Federation { get; private set; } = null!;

    public async Task InitializeAsync() => Federation = await Federation.StartAsync(["A", "B", "C"], analysts: ["alice"]);

    public async Task DisposeAsync() => await Federation.DisposeAsync();
}

/// <summary>One three-site federation shared by the tests of a class.</summary>
public sealed class FederationFixture : IAsyncLifetime
{
    public Federation Federation { get; private set; } = null!;

    public async Task InitializeAsync() => Federation = await Federation.StartAsync(["A", "B", "C"]);

    public async Task DisposeAsync() => await Federation.DisposeAsync();
}
