using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.SecureChannel;

/// <summary>SM3 (GB/T 32905) with HMAC-SM3 and HKDF-SM3, from BouncyCastle, as RFC 8998 uses them in TLS 1.3.</summary>
internal sealed class Sm3SuiteHash : SuiteHash
{
    public override int Length => 32;

    public override byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var output = new byte[Length];
        digest.DoFinal(output);
        return output;
    }

    public override byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var mac = new HMac(new SM3Digest());
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(data);
        var output = new byte[Length];
        mac.DoFinal(output);
        return output;
    }

    public override byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, int length)
    {
        var hkdf = new HkdfBytesGenerator(new SM3Digest());
        hkdf.Init(HkdfParameters.SkipExtractParameters(prk.ToArray(), info.ToArray()));
        var output = new byte[length];
        hkdf.GenerateBytes(output);
        return output;
    }
}
