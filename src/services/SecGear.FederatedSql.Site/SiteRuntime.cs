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
            RosterStatePath = options.RosterStatePath ?? DefaultRosterStatePath(options);
            _accepted = Remembered(Roster, signer, RosterStatePath) ?? Roster;
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

    /// <summary>
    /// Remembers <paramref name="shown"/> (already checked against the roster signer) as the newest accepted roster if its
    /// version is newer, in memory and in <see cref="RosterStatePath"/>, so a restart keeps the floor. Returns why the
    /// file could not be written (the floor then holds only until the process stops), or null.
    /// </summary>
    public string? Accepted(FederationConfig shown)
    {
        ArgumentNullException.ThrowIfNull(shown);
        lock (_acceptedGate)
        {
            if (shown.Version <= _accepted.Version)
            {
                return null;
            }

            _accepted = shown;
            return RosterStatePath is null ? null : Persist(RosterStatePath, shown);
        }
    }

    /// <summary>
    /// Where the newest accepted signed roster is kept across restarts (with a roster signer only):
    /// <see cref="SiteOptions.RosterStatePath"/>, by default <c>ROSTER.NAME.accepted</c> beside the pinned roster.
    /// </summary>
    public string? RosterStatePath { get; }

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

    /// <summary>The default <see cref="RosterStatePath"/>: beside the pinned roster, one file per site name.</summary>
    public static string DefaultRosterStatePath(SiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{options.RosterPath}.{options.Name}.accepted";
    }

    // The roster this site accepted before it last stopped, if newer than the pinned one. The file is local state, not
    // trusted for what it says: it must carry the roster signer's signature and pass the same check as a shown roster
    // (a version at or above the pinned one; at the pinned version, the pinned content). A file that fails stops the
    // start instead of being skipped: skipping would lower the floor unnoticed, which only the operator may choose to
    // do (by deleting the file).
    private static FederationConfig? Remembered(FederationConfig pinned, ECDsa signer, string path)
    {
        byte[] bytes;
        try
        {
            bytes = new FileInfo(path).Length <= FederationRoster.MaxBytes
                ? File.ReadAllBytes(path)
                : throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the remembered roster {path} is larger than a roster may be ({FederationRoster.MaxBytes} bytes); restore it, or delete it to fall back to the pinned version {pinned.Version}");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Nothing kept yet (first start, or a folder that does not exist: writing will then say why).
            return null;
        }

        FederationConfig remembered;
        try
        {
            remembered = FederationRoster.Parse(bytes);
        }
        catch (FederatedSqlException ex)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the remembered roster {path} cannot be read ({ex.Message}); restore it, or delete it to fall back to the pinned version {pinned.Version}");
        }

        return FederationRoster.Refusal(pinned, remembered, signer) is { } problem
            ? throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the remembered roster {path} cannot be used: {problem}; restore it, or delete it to fall back to the pinned version {pinned.Version}")
            : remembered.Version > pinned.Version ? remembered : null;
    }

    // Written to a temporary file, flushed to disk, then renamed over the old one: a crash leaves the old or the new
    // roster, never a torn one.
    private static string? Persist(string path, FederationConfig roster)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(FederationRoster.Shown(roster));
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing was created in a folder this process cannot write to; the error below says why.
            }

            return $"cannot write {path}: {ex.Message}";
        }
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
