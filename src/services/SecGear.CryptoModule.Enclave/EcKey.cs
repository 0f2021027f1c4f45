using System.Security.Cryptography;

namespace SecGear.CryptoModule.Enclave;

/// <summary>An ECDSA P-256 or P-384 key (platform crypto); signatures are r‖s (IEEE P1363, as PKCS#11 uses).</summary>
internal sealed class EcKey(KeySpec spec, ECDsa key) : LoadedKey
{
    public override KeySpec Spec => spec;

    public static (byte[] Material, byte[] PublicKey) Generate(KeySpec spec)
    {
        using var key = ECDsa.Create(spec == KeySpec.EcP256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        return (key.ExportPkcs8PrivateKey(), key.ExportSubjectPublicKeyInfo());
    }

    public static EcKey Load(KeySpec spec, ReadOnlySpan<byte> material)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(material, out _);
        return new EcKey(spec, key);
    }

    public override byte[] Sign(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId) =>
        IsDigest(scheme, prehashed, data)
            ? key.SignHash(data, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : key.SignData(data, HashOf(scheme), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public override bool Verify(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> userId) =>
        IsDigest(scheme, prehashed, data)
            ? key.VerifyHash(data, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : key.VerifyData(data, signature, HashOf(scheme), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private bool IsDigest(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data)
    {
        if (scheme is not (Scheme.Default or Scheme.EcdsaDigest or Scheme.EcdsaSha256 or Scheme.EcdsaSha384))
        {
            throw Unsupported("sign or verify", scheme);
        }

        bool digest = prehashed || scheme == Scheme.EcdsaDigest;
        if (digest && data.Length is < 20 or > 64)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"an ECDSA digest of {data.Length} bytes (20-64 expected)");
        }

        return digest;
    }

    private HashAlgorithmName HashOf(Scheme scheme) => scheme switch
    {
        Scheme.EcdsaSha256 => HashAlgorithmName.SHA256,
        Scheme.EcdsaSha384 => HashAlgorithmName.SHA384,
        _ => spec == KeySpec.EcP256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384,
    };
}
