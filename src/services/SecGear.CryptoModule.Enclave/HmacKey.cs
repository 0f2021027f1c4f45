using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.CryptoModule.Enclave;

/// <summary>An HMAC key: SHA-256 and SHA-384 from the platform, SM3 from BouncyCastle.</summary>
internal sealed class HmacKey(KeySpec spec, byte[] key) : LoadedKey
{
    public override KeySpec Spec => spec;

    public static byte[] Generate(KeySpec spec) => RandomNumberGenerator.GetBytes(spec == KeySpec.HmacSha384 ? 48 : 32);

    public override byte[] Mac(ReadOnlySpan<byte> data)
    {
        switch (spec)
        {
            case KeySpec.HmacSha256:
                return HMACSHA256.HashData(key, data);
            case KeySpec.HmacSha384:
                return HMACSHA384.HashData(key, data);
            default:
                var hmac = new HMac(new SM3Digest());
                hmac.Init(new KeyParameter(key));
                hmac.BlockUpdate(data);
                var mac = new byte[hmac.GetMacSize()];
                hmac.DoFinal(mac, 0);
                return mac;
        }
    }
}
