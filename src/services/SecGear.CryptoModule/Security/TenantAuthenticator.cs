using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Security;

/// <summary>
/// Tenant credentials: <c>tenant.secret</c> with a 32-byte random secret (base64url). The store keeps SHA-256 of the
/// secret; checks are constant-time. Credentials travel as <c>Authorization: Bearer</c>.
/// </summary>
public sealed class TenantAuthenticator(KeyStore store)
{
    private readonly ConcurrentDictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

    /// <summary>Makes a new credential for <paramref name="tenant"/> and the hash to store.</summary>
    public static (string Credential, byte[] Hash) NewCredential(string tenant)
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        string text = Base64Url(secret);
        return ($"{tenant}.{text}", SHA256.HashData(Encoding.ASCII.GetBytes(text)));
    }

    /// <summary>The authenticated tenant of the request, or a 401 problem.</summary>
    public async Task<string> AuthenticateAsync(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            throw Refused("No tenant credential: send 'Authorization: Bearer <tenant>.<secret>'.");
        }

        return await AuthenticateAsync(header["Bearer ".Length..].Trim()).ConfigureAwait(false);
    }

    /// <summary>The tenant a <c>tenant.secret</c> credential authenticates, or a 401 problem.</summary>
    public async Task<string> AuthenticateAsync(string credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        int dot = credential.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == credential.Length - 1 || credential.Length > 256)
        {
            throw Refused("The tenant credential is not of the form <tenant>.<secret>.");
        }

        string tenant = credential[..dot];
        byte[] presented = SHA256.HashData(Encoding.ASCII.GetBytes(credential[(dot + 1)..]));
        if (!_hashes.TryGetValue(tenant, out byte[]? stored))
        {
            stored = await store.GetCredentialHashAsync(tenant).ConfigureAwait(false);
            if (stored is null)
            {
                // Same answer as a wrong secret: do not reveal which tenants exist.
                throw Refused("The tenant credential is not valid.");
            }

            _hashes[tenant] = stored;
        }

        return CryptographicOperations.FixedTimeEquals(presented, stored) ? tenant : throw Refused("The tenant credential is not valid.");
    }

    private static CryptoProblemException Refused(string message) => new(StatusCodes.Status401Unauthorized, CryptoModuleErrorCodes.Unauthenticated, message);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
