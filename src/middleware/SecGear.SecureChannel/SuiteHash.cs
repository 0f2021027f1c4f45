namespace SecGear.SecureChannel;

/// <summary>The hash of a suite and the HMAC and HKDF (RFC 5869) built on it: transcript hash, Finished MAC and key schedule.</summary>
internal abstract class SuiteHash
{
    /// <summary>The digest length in bytes.</summary>
    public abstract int Length { get; }

    public abstract byte[] Hash(ReadOnlySpan<byte> data);

    public abstract byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data);

    /// <summary>HKDF-Extract: PRK = HMAC(salt, ikm).</summary>
    public byte[] Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm) => Hmac(salt, ikm);

    /// <summary>HKDF-Expand of <paramref name="prk"/> with <paramref name="info"/> to <paramref name="length"/> bytes.</summary>
    public abstract byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, int length);
}
