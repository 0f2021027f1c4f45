extern alias AttestationServiceHost;

using System.Security.Cryptography;
using AttestationServiceHost::SecGear.AttestationService.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Cli.Tests;

/// <summary>
/// The real attestation service on Kestrel at 127.0.0.1 (a free port), with its own SQLite database, admin key, an
/// identity provider key it trusts for admin JWTs, and a simulated platform whose CA it trusts; shared by the tests of
/// one class.
/// </summary>
public sealed class ServiceUnderTest : IAsyncLifetime
{
    private const string JwtIssuer = "https://idp.example";
    private const string JwtAudience = "secgear-attestation-service";
    private readonly ECDsa _issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private EmbeddedAttestationService? _service;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "secgear-cli-service-" + Guid.NewGuid().ToString("N"));

    public string Url { get; private set; } = string.Empty;

    /// <summary>The platform secret whose simulated CA the service trusts (pass to <c>secgear attest --secret-path</c>).</summary>
    public string PlatformSecret => Path.Combine(Directory, "platform", "platform.secret");

    /// <summary>The file holding the admin API key the service generated.</summary>
    public string AdminKeyFile => Path.Combine(Directory, "data", "admin.key");

    /// <summary>An administrator JWT from the identity provider the service trusts.</summary>
    public string AdminJwt(string scope = "secgear.admin")
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtIssuer,
            Audience = JwtAudience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["scope"] = scope },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_issuer), SecurityAlgorithms.EcdsaSha256),
        });
    }

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        SimulatedAttestationAuthority.EnsureCaCertificate(new SimulatedPlatformOptions { SecretPath = PlatformSecret });
        File.WriteAllText(Path.Combine(Directory, "idp.pem"), _issuer.ExportSubjectPublicKeyInfoPem());
        _service = await EmbeddedAttestationService.StartAsync(Path.Combine(Directory, "data"), new Dictionary<string, string?>
        {
            ["AttestationService:SimulationTrustAnchors:0"] = SimulatedAttestationAuthority.CaCertificatePath(PlatformSecret),
            ["AttestationService:AdminJwt:Issuer"] = JwtIssuer,
            ["AttestationService:AdminJwt:Audience"] = JwtAudience,
            ["AttestationService:AdminJwt:PublicKeyFiles:0"] = Path.Combine(Directory, "idp.pem"),
        });
        Url = _service.Url;
    }

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        _issuer.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
