using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace SecGear.CryptoModule.Enclave;

/// <summary>Keyless hashes: SHA-2 from the platform, SM3 from BouncyCastle.</summary>
internal static class Digests
{
    public static byte[] Hash(Scheme scheme, ReadOnlySpan<byte> data)
    {
        switch (scheme)
        {
            case Scheme.Sha256:
                return SHA256.HashData(data);
            case Scheme.Sha384:
                return SHA384.HashData(data);
            case Scheme.Sha512:
                return SHA512.HashData(data);
            case Scheme.Sm3:
                var sm3 = new SM3Digest();
                sm3.BlockUpdate(data);
                var digest = new byte[sm3.GetDigestSize()];
                sm3.DoFinal(digest, 0);
                return digest;
            default:
                throw new RefusalException(EnclaveStatus.UnsupportedScheme, $"{scheme} is not a digest");
        }
    }
}
