using System.Security.Cryptography;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Runtime;

/// <summary>A <see cref="RandomNumberGenerator"/> that draws from the enclave's platform (the TEE's randomness source).</summary>
internal sealed class PlatformRandom(ITrustedPlatform platform) : RandomNumberGenerator
{
    public override void GetBytes(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        platform.GetRandomBytes(data);
    }

    public override void GetBytes(byte[] data, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        platform.GetRandomBytes(data.AsSpan(offset, count));
    }

    public override void GetBytes(Span<byte> data) => platform.GetRandomBytes(data);

    public override void GetNonZeroBytes(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        GetNonZeroBytes(data.AsSpan());
    }

    public override void GetNonZeroBytes(Span<byte> data)
    {
        platform.GetRandomBytes(data);
        Span<byte> one = stackalloc byte[1];
        for (int i = 0; i < data.Length; i++)
        {
            while (data[i] == 0)
            {
                platform.GetRandomBytes(one);
                data[i] = one[0];
            }
        }
    }
}
