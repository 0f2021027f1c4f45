using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>SHA-2 with the platform's HMAC and HKDF.</summary>
internal sealed class PlatformSuiteHash : SuiteHash
{
    private readonly HashAlgorithmName algorithm;

    public PlatformSuiteHash(HashAlgorithmName algorithm, int length)
    {
        this.algorithm = algorithm;
        Length = length;
    }

    public override int Length { get; }

    public override byte[] Hash(ReadOnlySpan<byte> data) => CryptographicOperations.HashData(algorithm, data);

    public override byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => CryptographicOperations.HmacData(algorithm, key, data);

    public override byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, int length)
    {
        var output = new byte[length];
        HKDF.Expand(algorithm, prk, output, info);
        return output;
    }
}
