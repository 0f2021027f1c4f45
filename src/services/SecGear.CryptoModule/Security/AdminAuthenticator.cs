using System.Security.Cryptography;
using System.Text;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Security;

/// <summary>The administrator API key (header <see cref="CryptoModuleRoutes.AdminKeyHeader"/>), compared by hash in constant time.</summary>
public sealed class AdminAuthenticator(byte[] adminKeyHash)
{
    /// <summary>Loads the configured key, or the data directory's <c>admin.key</c> (generated 0600 on first start).</summary>
    public static AdminAuthenticator Create(CryptoModuleOptions options)
    {
        string? key = options.AdminApiKey;
        if (string.IsNullOrEmpty(key))
        {
            string path = Path.Combine(options.ResolvedDataDirectory, "admin.key");
            if (!File.Exists(path))
            {
                string generated = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var stream = new FileStream(path, fileOptions))
                {
                    stream.Write(Encoding.ASCII.GetBytes(generated));
                }
            }

            key = File.ReadAllText(path).Trim();
        }

        return new AdminAuthenticator(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Throws a 401 problem unless the request carries the admin key.</summary>
    public void Require(HttpContext context)
    {
        string? presented = context.Request.Headers[CryptoModuleRoutes.AdminKeyHeader];
        if (string.IsNullOrEmpty(presented)
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), adminKeyHash))
        {
            throw new CryptoProblemException(StatusCodes.Status401Unauthorized, CryptoModuleErrorCodes.Unauthenticated,
                $"This endpoint needs the administrator key in {CryptoModuleRoutes.AdminKeyHeader}.");
        }
    }
}
