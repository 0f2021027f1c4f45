using System.Security.Cryptography;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// Checks imported key material against the spec it is imported as, and derives its public key: a P-384 key cannot be
/// imported as <see cref="KeySpec.EcP256"/>, nor a 2048-bit RSA key as <see cref="KeySpec.Rsa4096"/>.
/// </summary>
internal static class ImportedKeys
{
    public const int MinHmacKey = 16;
    public const int MaxHmacKey = 64;

    /// <summary>The public key (SPKI DER, empty for secret keys), or a refusal naming what does not fit.</summary>
    public static byte[] Validate(KeySpec spec, byte[] material)
    {
        try
        {
            switch (spec)
            {
                case KeySpec.EcP256 or KeySpec.EcP384:
                {
                    using var key = ECDsa.Create();
                    Pkcs8(material, key.ImportPkcs8PrivateKey);
                    string expected = (spec == KeySpec.EcP256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384).Oid.Value!;
                    string? found = key.ExportParameters(false).Curve.Oid?.Value;
                    return found == expected ? key.ExportSubjectPublicKeyInfo() : throw Mismatch(spec, $"an EC key on curve {found ?? "(unnamed)"}");
                }

                case KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096:
                {
                    using var key = RSA.Create();
                    Pkcs8(material, key.ImportPkcs8PrivateKey);
                    int bits = spec switch { KeySpec.Rsa2048 => 2048, KeySpec.Rsa3072 => 3072, _ => 4096 };
                    return key.KeySize == bits ? key.ExportSubjectPublicKeyInfo() : throw Mismatch(spec, $"a {key.KeySize}-bit RSA key");
                }

                case KeySpec.Sm2:
                    return Sm2Key.PublicKeyOf(material);

                case KeySpec.Aes256 or KeySpec.Sm4:
                    int length = spec == KeySpec.Aes256 ? 32 : 16;
                    return material.Length == length ? [] : throw Mismatch(spec, $"{material.Length} bytes ({length} expected)");

                default:
                    return material.Length is >= MinHmacKey and <= MaxHmacKey ? [] : throw Mismatch(spec, $"{material.Length} bytes ({MinHmacKey}-{MaxHmacKey} expected)");
            }
        }
        catch (CryptographicException)
        {
            throw Mismatch(spec, "material that is not a PKCS#8 private key");
        }
    }

    private delegate void Importer(ReadOnlySpan<byte> source, out int read);

    private static void Pkcs8(byte[] material, Importer import)
    {
        import(material, out int read);
        if (read != material.Length)
        {
            throw new CryptographicException("trailing bytes");
        }
    }

    private static RefusalException Mismatch(KeySpec spec, string found) =>
        new(EnclaveStatus.InvalidInput, $"the imported material is {found}; it cannot be a {spec} key");
}
