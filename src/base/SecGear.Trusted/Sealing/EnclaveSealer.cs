using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Sealing;

/// <summary>
/// Seals data to the enclave's identity with AES-256-GCM under a key the platform derives for the chosen
/// <see cref="SealPolicy"/> (secGear's <c>cc_enclave_seal_data</c>). Blob format: docs/sealing.md.
/// </summary>
public sealed class EnclaveSealer
{
    /// <summary>Bytes a blob adds to the plaintext and additional data.</summary>
    public const int Overhead = HeaderSize + TagSize;

    /// <summary>Largest plaintext, and largest additional data, one blob may hold (256 MiB each).</summary>
    public const int MaxDataLength = 256 * 1024 * 1024;

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 4 + 1 + 1 + 2 + 4 + 4 + SealKeyRequest.KeyIdLength + NonceSize;

    private readonly ITrustedPlatform _platform;

    /// <summary>Creates a sealer over the enclave's platform.</summary>
    public EnclaveSealer(ITrustedPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
    }

    private static ReadOnlySpan<byte> Magic => "SGSL"u8;

    /// <summary>Size of the blob <see cref="Seal"/> returns for the given lengths.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative or above <see cref="MaxDataLength"/>.</exception>
    public static int GetSealedSize(int plaintextLength, int additionalDataLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfNegative(additionalDataLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, MaxDataLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(additionalDataLength, MaxDataLength);
        return Overhead + plaintextLength + additionalDataLength;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> and authenticates it with <paramref name="additionalData"/>.</summary>
    /// <param name="plaintext">The secret data.</param>
    /// <param name="additionalData">Data stored in clear inside the blob and authenticated with it.</param>
    /// <param name="policy">Which identity can unseal: this exact enclave, or this signer's product at this or a later version.</param>
    /// <exception cref="ArgumentOutOfRangeException">A length is above <see cref="MaxDataLength"/>, or the policy is unknown.</exception>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> additionalData = default, SealPolicy policy = SealPolicy.Signer)
    {
        if (policy is not (SealPolicy.Enclave or SealPolicy.Signer))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown seal policy.");
        }

        var blob = new byte[GetSealedSize(plaintext.Length, additionalData.Length)];
        var span = blob.AsSpan();
        ushort svn = _platform.Identity.SecurityVersion;
        Magic.CopyTo(span);
        span[4] = Version;
        span[5] = (byte)policy;
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], svn);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)additionalData.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)plaintext.Length);
        var keyId = blob.AsMemory(16, SealKeyRequest.KeyIdLength);
        _platform.GetRandomBytes(keyId.Span);
        _platform.GetRandomBytes(span.Slice(16 + SealKeyRequest.KeyIdLength, NonceSize));
        additionalData.CopyTo(span[HeaderSize..]);

        Span<byte> key = stackalloc byte[SealKeyRequest.KeyLength];
        try
        {
            _platform.DeriveSealKey(new SealKeyRequest(policy, svn, keyId), key);
            using var aes = new AesGcm(key, TagSize);
            int ciphertextStart = HeaderSize + additionalData.Length;
            aes.Encrypt(
                span.Slice(16 + SealKeyRequest.KeyIdLength, NonceSize),
                plaintext,
                span.Slice(ciphertextStart, plaintext.Length),
                span[(ciphertextStart + plaintext.Length)..],
                span[..ciphertextStart]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return blob;
    }

    /// <summary>Decrypts and authenticates a blob made by <see cref="Seal"/>.</summary>
    /// <exception cref="UnsealException">The blob is malformed, tampered with, from another identity or platform, or from a newer security version.</exception>
    public UnsealedData Unseal(ReadOnlySpan<byte> blob)
    {
        // Copy first: the blob may live in memory the host can change while we read it.
        var copy = blob.ToArray();
        var span = copy.AsSpan();
        if (span.Length < HeaderSize + TagSize)
        {
            throw Fail(UnsealFailureCode.Truncated, $"The sealed blob is {span.Length} bytes, shorter than the {HeaderSize + TagSize}-byte minimum.");
        }

        if (!span[..4].SequenceEqual(Magic))
        {
            throw Fail(UnsealFailureCode.Malformed, "The data is not a sealed blob (bad magic).");
        }

        if (span[4] != Version)
        {
            throw Fail(UnsealFailureCode.UnsupportedVersion, $"Sealed blob version {span[4]} is not supported; expected {Version}.");
        }

        var policy = (SealPolicy)span[5];
        if (policy is not (SealPolicy.Enclave or SealPolicy.Signer))
        {
            throw Fail(UnsealFailureCode.UnsupportedPolicy, $"Sealed blob names unknown policy {span[5]}.");
        }

        ushort svn = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        uint aadLength = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        uint plaintextLength = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        if (aadLength > MaxDataLength || plaintextLength > MaxDataLength)
        {
            throw Fail(UnsealFailureCode.TooLarge, $"Sealed blob declares {plaintextLength} data bytes and {aadLength} additional bytes; the limit is {MaxDataLength} each.");
        }

        long expected = (long)HeaderSize + aadLength + plaintextLength + TagSize;
        if (span.Length < expected)
        {
            throw Fail(UnsealFailureCode.Truncated, $"The sealed blob is {span.Length} bytes; its header declares {expected}.");
        }

        if (span.Length > expected)
        {
            throw Fail(UnsealFailureCode.Malformed, $"{span.Length - expected} bytes follow the sealed blob.");
        }

        ushort ownSvn = _platform.Identity.SecurityVersion;
        if (svn > ownSvn)
        {
            throw Fail(UnsealFailureCode.SecurityVersionTooLow, $"The blob was sealed at security version {svn}; this enclave is at {ownSvn}.");
        }

        int ciphertextStart = HeaderSize + (int)aadLength;
        var plaintext = new byte[plaintextLength];
        Span<byte> key = stackalloc byte[SealKeyRequest.KeyLength];
        try
        {
            _platform.DeriveSealKey(new SealKeyRequest(policy, svn, copy.AsMemory(16, SealKeyRequest.KeyIdLength)), key);
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                span.Slice(16 + SealKeyRequest.KeyIdLength, NonceSize),
                span.Slice(ciphertextStart, (int)plaintextLength),
                span[(ciphertextStart + (int)plaintextLength)..],
                plaintext,
                span[..ciphertextStart]);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw Fail(
                UnsealFailureCode.AuthenticationFailed,
                "The sealed blob does not authenticate: it was modified, or sealed by another enclave, signer, product, debug mode or platform.",
                ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return new UnsealedData(plaintext, span.Slice(HeaderSize, (int)aadLength).ToArray());
    }

    /// <summary>Like <see cref="Unseal"/>, but returns false instead of throwing <see cref="UnsealException"/>.</summary>
    public bool TryUnseal(ReadOnlySpan<byte> blob, [NotNullWhen(true)] out UnsealedData? data)
    {
        try
        {
            data = Unseal(blob);
            return true;
        }
        catch (UnsealException)
        {
            data = null;
            return false;
        }
    }

    private static UnsealException Fail(UnsealFailureCode reason, string message, Exception? inner = null) => new(reason, message, inner);
}
