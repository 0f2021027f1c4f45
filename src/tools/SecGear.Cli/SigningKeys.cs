using System.Security.Cryptography;
using System.Text;

namespace SecGear.Cli;

/// <summary>Reads and writes ECDSA P-384 signing keys as PEM.</summary>
internal static class SigningKeys
{
    public static ECDsa LoadPrivateKey(string path)
    {
        var pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 384)
            {
                throw new CryptographicException($"the key is {key.KeySize}-bit, an ECDSA P-384 key is required");
            }

            // A public-only key imports fine but cannot sign; find out now rather than mid-signing.
            key.ExportECPrivateKey();
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CryptographicException($"'{path}' is not an unencrypted ECDSA P-384 private key in PEM (PKCS#8 or SEC1): {ex.Message}", ex);
        }
    }

    /// <summary>Reads a public key (PEM "PUBLIC KEY", or raw SubjectPublicKeyInfo DER) and returns its SubjectPublicKeyInfo.</summary>
    public static byte[] LoadPublicKey(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.ASCII.GetString(bytes);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return bytes;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
        }
        catch (ArgumentException ex)
        {
            throw new CryptographicException($"'{path}' does not hold a PEM public key: {ex.Message}", ex);
        }

        return key.ExportSubjectPublicKeyInfo();
    }

    public static byte[] PrivateKeyPem(ECDsa key) => Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n");

    public static byte[] PublicKeyPem(ECDsa key) => Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem() + "\n");
}
