using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Security;

namespace SecGear.AttestationService.Tests.Service;

public sealed class AdminJwtTests : ServiceTestBase
{
    private const string Issuer = "https://idp.example";
    private const string Audience = "secgear-attestation-service";

    private readonly ECDsa _issuerKey;
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), "secgear-as-idp-" + Guid.NewGuid().ToString("N") + ".pem");
    private readonly ServiceFactory _service;

    public AdminJwtTests()
    {
        _issuerKey = Own(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        File.WriteAllText(_keyFile, _issuerKey.ExportSubjectPublicKeyInfoPem());
        _service = NewFactory(new Dictionary<string, string?>
        {
            ["AttestationService:AdminJwt:Issuer"] = Issuer,
            ["AttestationService:AdminJwt:Audience"] = Audience,
            ["AttestationService:AdminJwt:PublicKeyFiles:0"] = _keyFile,
        });
    }

    private string Token(ECDsa key, string audience = Audience, string scope = "secgear.admin", TimeSpan? lifetime = null)
    {
        var now = _service.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            Claims = new Dictionary<string, object> { ["scope"] = scope },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
        });
    }

    private async Task<HttpResponseMessage> ListPoliciesAsync(string bearer)
    {
        using var client = _service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await client.GetAsync(AttestationServiceRoutes.Policies);
    }

    [Fact]
    public async Task An_administrator_JWT_from_the_trusted_issuer_opens_the_admin_routes()
    {
        using var response = await ListPoliciesAsync(Token(_issuerKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_JWT_for_another_audience_or_without_the_admin_scope_or_signed_by_another_key_is_refused()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var wrongAudience = await ListPoliciesAsync(Token(_issuerKey, audience: "another-service"));
        using var wrongScope = await ListPoliciesAsync(Token(_issuerKey, scope: "secgear.read"));
        using var wrongKey = await ListPoliciesAsync(Token(otherKey));

        await ServiceClient.AssertProblemAsync(wrongAudience, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(wrongScope, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(wrongKey, 401, ServiceErrorCodes.AdminAuthenticationRequired);
    }

    [Fact]
    public async Task An_expired_administrator_JWT_is_refused_at_the_service_clock()
    {
        string token = Token(_issuerKey, lifetime: TimeSpan.FromMinutes(1));
        _service.Clock.Advance(TimeSpan.FromMinutes(2));

        using var response = await ListPoliciesAsync(token);

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.AdminAuthenticationRequired);
    }

    [Fact]
    public async Task The_services_own_attestation_token_does_not_grant_administration()
    {
        using var admin = _service.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using var client = _service.CreateClient();
        var attested = await ServiceClient.AttestAsync(client, Enclave, "sim");

        using var response = await ListPoliciesAsync(attested.Token!);

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.AdminAuthenticationRequired);
    }

    [Fact]
    public async Task An_ec_key_whose_pem_text_happens_to_contain_RSA_is_still_read_as_an_ec_key()
    {
        // About one P-256 key in two thousand has "RSA" somewhere in its base64 body; the loader once took that for an
        // RSA key and refused to start.
        ECDsa key = Own(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        while (!key.ExportSubjectPublicKeyInfoPem().Contains("RSA", StringComparison.Ordinal))
        {
            key.Dispose();
            key = Own(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        }

        string file = _keyFile + ".rsa-letters.pem";
        File.WriteAllText(file, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            var options = new AdminJwtOptions { Issuer = Issuer, Audience = Audience };
            options.PublicKeyFiles.Add(file);
            var validator = new AdminTokenValidator(options, _service.Clock);

            Assert.True(await validator.IsAdministratorAsync("Bearer " + Token(key)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    protected override void Cleanup() => File.Delete(_keyFile);
}
