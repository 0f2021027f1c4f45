using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Hosting;

namespace SecGear.AttestationService.Security;

/// <summary>
/// Optional administrator JWTs (<c>Authorization: Bearer</c> on admin routes), issued by an identity provider the
/// operator trusts: ES256/ES384/RS256/PS256 signed by one of the configured public keys, with the configured issuer and
/// audience, within its lifetime at the service clock, and carrying the scope <see cref="Scope"/>
/// (space-separated <c>scope</c> claim). The service's own attestation tokens never qualify: they have no audience.
/// </summary>
public sealed class AdminTokenValidator
{
    /// <summary>The scope an administrator token must carry.</summary>
    public const string Scope = "secgear.admin";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _parameters;

    /// <summary>Creates the validator; with no keys configured every bearer is refused.</summary>
    public AdminTokenValidator(AdminJwtOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.PublicKeyFiles.Count == 0)
        {
            return;
        }

        if (string.IsNullOrEmpty(options.Issuer) || string.IsNullOrEmpty(options.Audience))
        {
            throw new InvalidOperationException("AttestationService:AdminJwt needs Issuer and Audience when PublicKeyFiles are set.");
        }

        _parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKeys = [.. options.PublicKeyFiles.Select(LoadKey)],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + p.ClockSkew && (notBefore is not { } start || now >= start - p.ClockSkew);
            },
        };
    }

    /// <summary>True when <paramref name="authorization"/> is <c>Bearer</c> with a valid administrator token.</summary>
    public async Task<bool> IsAdministratorAsync(string? authorization)
    {
        const string Prefix = "Bearer ";
        if (_parameters is null || authorization is null || !authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || authorization.Length > 16 * 1024)
        {
            return false;
        }

        var result = await _handler.ValidateTokenAsync(authorization[Prefix.Length..].Trim(), _parameters).ConfigureAwait(false);
        return result.IsValid
            && result.SecurityToken is JsonWebToken token
            && token.TryGetPayloadValue<string>("scope", out var scope)
            && scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(Scope, StringComparer.Ordinal);
    }

    private static SecurityKey LoadKey(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The admin JWT key '{path}' cannot be read: {ex.Message}", ex);
        }

        try
        {
            // Try EC first, then RSA: the PEM label says nothing for SPKI keys, and searching the text for "RSA" also
            // matches base64 bodies of EC keys that happen to contain those letters (a flaky test found it).
            if (!TryEc(pem, out var ec))
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return new RsaSecurityKey(rsa);
            }

            return new ECDsaSecurityKey(ec);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"The admin JWT key '{path}' is not a PEM EC or RSA public key.", ex);
        }
    }

    private static bool TryEc(string pem, [NotNullWhen(true)] out ECDsa? key)
    {
        var candidate = ECDsa.Create();
        try
        {
            candidate.ImportFromPem(pem);
            key = candidate;
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            candidate.Dispose();
            key = null;
            return false;
        }
    }
}
