using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// A federation's keys and roster in one directory, for single-machine deployments, samples, tests and benchmarks:
/// a key per site and analyst (<see cref="PartyKeys"/>), and <c>roster.json</c>, the file every site's operator pins
/// (<c>--roster</c>) and the coordinator configures the enclave with.
/// </summary>
public sealed class LocalRoster
{
    private LocalRoster(string path, FederationConfig config, IReadOnlyDictionary<string, PartyKeys> sites, IReadOnlyDictionary<string, PartyKeys> analysts)
    {
        Path = path;
        Config = config;
        Sites = sites;
        Analysts = analysts;
    }

    /// <summary>The roster file.</summary>
    public string Path { get; }

    /// <summary>The roster.</summary>
    public FederationConfig Config { get; }

    /// <summary>Each site's keys by name.</summary>
    public IReadOnlyDictionary<string, PartyKeys> Sites { get; }

    /// <summary>Each analyst's keys by name.</summary>
    public IReadOnlyDictionary<string, PartyKeys> Analysts { get; }

    /// <summary>Makes keys for every site and analyst in <paramref name="directory"/> and writes the roster file there.</summary>
    public static LocalRoster Create(string directory, IEnumerable<string> sites, IEnumerable<string> analysts, int minGroupRowsFloor = 1)
    {
        var siteKeys = sites.ToDictionary(name => name, name => PartyKeys.Create(directory, "site-" + name) with { Name = name }, StringComparer.Ordinal);
        var analystKeys = analysts.ToDictionary(name => name, name => PartyKeys.Create(directory, "analyst-" + name) with { Name = name }, StringComparer.Ordinal);
        var config = new FederationConfig(
            siteKeys.Values.Select(k => k.Entry).ToList(),
            MinGroupRowsFloor: minGroupRowsFloor,
            Analysts: analystKeys.Count == 0 ? null : analystKeys.Values.Select(k => k.Entry).ToList());
        string path = System.IO.Path.Combine(directory, "roster.json");
        File.WriteAllBytes(path, FederationRoster.Canonical(config));
        return new LocalRoster(path, config, siteKeys, analystKeys);
    }
}
