using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>SHA-2 with the platform's HMAC and HKDF.</summary>
internal sealed class PlatformSuiteHash : SuiteHash
{
    private readonly HashAlgorithmName _algorithm;

    public PlatformSuiteHash(HashAlgorithmName algorithm, int length)
    {
        _algorithm = algorithm;
        Length = length;
    }

    public override int Length { get; }

    public override byte[] Hash(ReadOnlySpan<byte> data) => CryptographicOperations.HashData(_algorithm, data);

    public override byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => CryptographicOperations.HmacData(_algorithm, key, data);

    public override byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, int length)
    {
        var output = new byte[length];
        HKDF.Expand(_algorithm, prk, output, info);
        return output;
    }
}
