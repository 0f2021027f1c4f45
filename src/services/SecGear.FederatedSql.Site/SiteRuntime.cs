using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site.Engines;
using SecGear.SecureChannel;

namespace SecGear.FederatedSql.Site;

/// <summary>What a site holds for its lifetime: options, engine, channel identity, and the enclave policy it enforces.</summary>
public sealed class SiteRuntime : IAsyncDisposable
{
    /// <summary>The most bytes of rows in one partial-result record.</summary>
    public const int ChunkBytes = 512 * 1024;

    private readonly Lock _acceptedGate = new();
    private FederationConfig _accepted;

    /// <summary>Creates the runtime.</summary>
    public SiteRuntime(SiteOptions options, LocalEngine engine, SiteIdentity identity)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        Identity = identity ?? throw new ArgumentNullException(nameof(identity));
        Roster = FederationRoster.Parse(File.ReadAllBytes(options.RosterPath));
        _accepted = Roster;
        if (!Roster.Sites.Any(s => s.Name == options.Name && string.Equals(s.SpkiSha256, identity.SpkiSha256, StringComparison.OrdinalIgnoreCase)))
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the pinned roster does not list site {options.Name} with this site's key {identity.SpkiSha256[..16]}...");
        }

        if (options.RosterSignerPath is not null)
        {
            var signer = LoadSigner(options.RosterSignerPath);
            if (FederationRoster.SignatureProblem(Roster, signer) is { } problem)
            {
                signer.Dispose();
                throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the pinned roster cannot be used: {problem}");
            }

            RosterSigner = signer;
        }

        byte[] ca = X509CertificateLoader.LoadCertificateFromFile(options.CaPath).RawData;
        Verifier = new AttestationVerifier();
        Verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
        Policy = new AttestationPolicy
        {
            AllowSimulation = true,
            AllowInProcess = options.AllowInProcess,
            AllowedUniqueIds = [options.Measurement],
            AllowedSignerIds = [options.Signer],
        };
        ChannelOptions = new SecureChannelOptions
        {
            MaxFrameLength = 1024 * 1024,
            MaxRecordPayload = 1024 * 1024 - 1024,
            ClientCredential = identity.Credential,
        };
    }

    /// <summary>The options.</summary>
    public SiteOptions Options { get; }

    /// <summary>The local engine.</summary>
    public LocalEngine Engine { get; }

    /// <summary>The channel identity.</summary>
    public SiteIdentity Identity { get; }

    /// <summary>The roster this site's operator pinned.</summary>
    public FederationConfig Roster { get; }

    /// <summary>
    /// The newest roster this site has accepted: the pinned one, or a newer version signed by the pinned roster signer
    /// that an enclave showed since this process started. Older versions than this are refused as replays.
    /// </summary>
    public FederationConfig AcceptedRoster
    {
        get
        {
            lock (_acceptedGate)
            {
                return _accepted;
            }
        }
    }

    /// <summary>Remembers <paramref name="shown"/> as the newest accepted roster if its version is newer.</summary>
    public void Accepted(FederationConfig shown)
    {
        ArgumentNullException.ThrowIfNull(shown);
        lock (_acceptedGate)
        {
            if (shown.Version > _accepted.Version)
            {
                _accepted = shown;
            }
        }
    }

    /// <summary>The roster signer's public key; null when the roster's content is pinned instead.</summary>
    public ECDsa? RosterSigner { get; }

    /// <summary>The catalog partial plans are checked against (the pinned roster's).</summary>
    public FederationCatalog Catalog => Roster.Catalog;

    /// <summary>The evidence verifier (this machine's simulated CA pinned).</summary>
    public AttestationVerifier Verifier { get; }

    /// <summary>The enclave policy: the pinned measurement and signer.</summary>
    public AttestationPolicy Policy { get; }

    /// <summary>The channel options (with the site's client certificate).</summary>
    public SecureChannelOptions ChannelOptions { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        Identity.Dispose();
        RosterSigner?.Dispose();
    }

    // A PEM public key ("PUBLIC KEY") or certificate; ECDSA P-256 or P-384.
    private static ECDsa LoadSigner(string path)
    {
        string pem = File.ReadAllText(path);
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetECDsaPublicKey() is { KeySize: 256 or 384 } fromCertificate
                ? fromCertificate
                : throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "--roster-signer: the certificate's key is not ECDSA P-256 or P-384");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "--roster-signer: not a PEM ECDSA public key or certificate");
        }

        if (key.KeySize is not (256 or 384))
        {
            key.Dispose();
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "--roster-signer: the key is not ECDSA P-256 or P-384");
        }

        return key;
    }
}
