using System.Security.Cryptography;
using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// A federation's keys and roster in one directory, for single-machine deployments, samples, tests and benchmarks:
/// a key per site and analyst (<see cref="PartyKeys"/>), the roster signer's key pair (<c>roster-signer.key.pem</c>,
/// <c>roster-signer.pub.pem</c>), and <c>roster.json</c>, signed by it: the file every site's operator pins
/// (<c>--roster</c>, with <c>--roster-signer</c>) and the coordinator configures the enclave with. In a real federation
/// the roster signer's private key stays with whoever admits sites and analysts, never on A's host.
/// </summary>
public sealed class LocalRoster
{
    private LocalRoster(string path, string signerKeyPath, string signerPublicKeyPath, FederationConfig config, IReadOnlyDictionary<string, PartyKeys> sites, IReadOnlyDictionary<string, PartyKeys> analysts)
    {
        Path = path;
        SignerKeyPath = signerKeyPath;
        SignerPublicKeyPath = signerPublicKeyPath;
        Config = config;
        Sites = sites;
        Analysts = analysts;
    }

    /// <summary>The roster file.</summary>
    public string Path { get; }

    /// <summary>The roster signer's private key (PEM PKCS#8, ECDSA P-256).</summary>
    public string SignerKeyPath { get; }

    /// <summary>The roster signer's public key (PEM), what sites pin with <c>--roster-signer</c>.</summary>
    public string SignerPublicKeyPath { get; }

    /// <summary>The signed roster.</summary>
    public FederationConfig Config { get; }

    /// <summary>Each site's keys by name.</summary>
    public IReadOnlyDictionary<string, PartyKeys> Sites { get; }

    /// <summary>Each analyst's keys by name.</summary>
    public IReadOnlyDictionary<string, PartyKeys> Analysts { get; }

    /// <summary>
    /// Makes keys for every site and analyst and a roster signer in <paramref name="directory"/>, and writes the roster
    /// there, signed, as <paramref name="version"/>.
    /// </summary>
    public static LocalRoster Create(string directory, IEnumerable<string> sites, IEnumerable<string> analysts, int minGroupRowsFloor = 1, long version = 1)
    {
        var siteKeys = sites.ToDictionary(name => name, name => PartyKeys.Create(directory, "site-" + name) with { Name = name }, StringComparer.Ordinal);
        var analystKeys = analysts.ToDictionary(name => name, name => PartyKeys.Create(directory, "analyst-" + name) with { Name = name }, StringComparer.Ordinal);
        var config = new FederationConfig(
            siteKeys.Values.Select(k => k.Entry).ToList(),
            MinGroupRowsFloor: minGroupRowsFloor,
            Analysts: analystKeys.Count == 0 ? null : analystKeys.Values.Select(k => k.Entry).ToList(),
            Version: version);
        string signerKeyPath = System.IO.Path.Combine(directory, "roster-signer.key.pem");
        string signerPublicKeyPath = System.IO.Path.Combine(directory, "roster-signer.pub.pem");
        using (var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(signerKeyPath, signer.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(signerKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(signerPublicKeyPath, signer.ExportSubjectPublicKeyInfoPem());
            config = FederationRoster.Sign(config, signer);
        }

        string path = System.IO.Path.Combine(directory, "roster.json");
        File.WriteAllBytes(path, FederationRoster.Shown(config));
        return new LocalRoster(path, signerKeyPath, signerPublicKeyPath, config, siteKeys, analystKeys);
    }

    /// <summary>The arguments that pin this roster and its signer at site <paramref name="name"/> and give it its key.</summary>
    public IEnumerable<string> SiteArguments(string name) => LocalSiteProcess.RosterArguments(Path, Sites[name], SignerPublicKeyPath);

    /// <summary>Signs <paramref name="config"/> with this roster's signer (tests: a signed roster of another version).</summary>
    public FederationConfig Sign(FederationConfig config)
    {
        using var signer = ECDsa.Create();
        signer.ImportFromPem(File.ReadAllText(SignerKeyPath));
        return FederationRoster.Sign(config, signer);
    }
}
