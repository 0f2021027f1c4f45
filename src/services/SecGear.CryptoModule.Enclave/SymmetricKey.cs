using System.Collections.Concurrent;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// An AES-256 key (platform crypto) or an SM4 key (BouncyCastle): GCM (12-byte IV, 16-byte tag appended), CBC and
/// ECB with PKCS#7 padding, and AES key wrap (RFC 3394).
/// </summary>
internal sealed class SymmetricKey(KeySpec spec, byte[] key) : LoadedKey
{
    public const int GcmIvSize = 12;
    public const int TagSize = 16;
    private const int BlockSize = 16;
    private const int MaxPooledGcm = 8;

    // AesGcm instances are not thread-safe but reusable: a few are kept per key, so a hot key does not create and
    // free an OpenSSL cipher context (and schedule the key again) on every operation.
    private readonly ConcurrentBag<AesGcm> _gcm = [];

    public override KeySpec Spec => spec;

    public static byte[] Generate(KeySpec spec) => RandomNumberGenerator.GetBytes(spec == KeySpec.Aes256 ? 32 : 16);

    public static SymmetricKey Load(KeySpec spec, byte[] material) =>
        material.Length == (spec == KeySpec.Aes256 ? 32 : 16)
            ? new SymmetricKey(spec, material)
            : throw new RefusalException(EnclaveStatus.KeyBlobInvalid, "a symmetric key blob of the wrong size");

    public override (byte[] Ciphertext, byte[] Iv) Encrypt(Scheme scheme, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        switch (scheme)
        {
            case Scheme.Default or Scheme.Gcm:
            {
                byte[] nonce = IvOrNew(iv, GcmIvSize);
                var output = new byte[plaintext.Length + TagSize];
                GcmEncrypt(nonce, plaintext, aad, output);
                return (output, nonce);
            }

            case Scheme.Cbc:
            {
                byte[] cbcIv = IvOrNew(iv, BlockSize);
                return (spec == KeySpec.Aes256 ? AesCbc(true, plaintext, cbcIv) : Sm4Padded(true, new CbcBlockCipher(new SM4Engine()), plaintext, cbcIv), cbcIv);
            }

            case Scheme.Ecb:
                NoIv(iv, scheme);
                return (spec == KeySpec.Aes256 ? AesEcb(true, plaintext) : Sm4Padded(true, new SM4Engine(), plaintext, null), []);

            case Scheme.AesKeyWrap when spec == KeySpec.Aes256:
                NoIv(iv, scheme);
                return (KeyWrap(true, plaintext), []);

            default:
                throw Unsupported("encrypt", scheme);
        }
    }

    public override byte[] Decrypt(Scheme scheme, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        switch (scheme)
        {
            case Scheme.Default or Scheme.Gcm:
                if (iv.Length != GcmIvSize)
                {
                    throw new RefusalException(EnclaveStatus.InvalidInput, $"a GCM IV of {iv.Length} bytes ({GcmIvSize} expected)");
                }

                if (ciphertext.Length < TagSize)
                {
                    throw new RefusalException(EnclaveStatus.InvalidCiphertext, $"a GCM ciphertext of {ciphertext.Length} bytes is shorter than its tag");
                }

                var plaintext = new byte[ciphertext.Length - TagSize];
                GcmDecrypt(iv, ciphertext, aad, plaintext);
                return plaintext;

            case Scheme.Cbc:
                if (iv.Length != BlockSize)
                {
                    throw new RefusalException(EnclaveStatus.InvalidInput, $"a CBC IV of {iv.Length} bytes ({BlockSize} expected)");
                }

                CheckBlocks(ciphertext, scheme);
                return spec == KeySpec.Aes256 ? AesCbc(false, ciphertext, iv.ToArray()) : Sm4Padded(false, new CbcBlockCipher(new SM4Engine()), ciphertext, iv.ToArray());

            case Scheme.Ecb:
                NoIv(iv, scheme);
                CheckBlocks(ciphertext, scheme);
                return spec == KeySpec.Aes256 ? AesEcb(false, ciphertext) : Sm4Padded(false, new SM4Engine(), ciphertext, null);

            case Scheme.AesKeyWrap when spec == KeySpec.Aes256:
                NoIv(iv, scheme);
                return KeyWrap(false, ciphertext);

            default:
                throw Unsupported("decrypt", scheme);
        }
    }

    /// <summary>GCM straight into the caller's buffer (ciphertext then tag), for the large-data path.</summary>
    public void GcmEncrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> aad, Span<byte> output)
    {
        if (spec == KeySpec.Aes256)
        {
            var gcm = RentGcm();
            gcm.Encrypt(nonce, plaintext, output[..plaintext.Length], output.Slice(plaintext.Length, TagSize), aad);
            ReturnGcm(gcm);
            return;
        }

        var cipher = Sm4Gcm(true, nonce, aad);
        byte[] input = plaintext.ToArray();
        var result = new byte[cipher.GetOutputSize(input.Length)];
        int written = cipher.ProcessBytes(input, 0, input.Length, result, 0);
        cipher.DoFinal(result, written);
        result.CopyTo(output);
    }

    private AesGcm RentGcm() => _gcm.TryTake(out var gcm) ? gcm : new AesGcm(key, TagSize);

    private void ReturnGcm(AesGcm gcm)
    {
        if (_gcm.Count < MaxPooledGcm)
        {
            _gcm.Add(gcm);
        }
        else
        {
            gcm.Dispose();
        }
    }

    private void GcmDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> aad, Span<byte> plaintext)
    {
        try
        {
            if (spec == KeySpec.Aes256)
            {
                var gcm = RentGcm();
                try
                {
                    gcm.Decrypt(nonce, ciphertext[..^TagSize], ciphertext[^TagSize..], plaintext, aad);
                }
                finally
                {
                    ReturnGcm(gcm);
                }

                return;
            }

            var cipher = Sm4Gcm(false, nonce, aad);
            byte[] input = ciphertext.ToArray();
            var result = new byte[cipher.GetOutputSize(input.Length)];
            int written = cipher.ProcessBytes(input, 0, input.Length, result, 0);
            cipher.DoFinal(result, written);
            result.CopyTo(plaintext);
        }
        catch (Exception ex) when (ex is AuthenticationTagMismatchException or InvalidCipherTextException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the GCM tag does not verify (wrong key version, IV, AAD, or altered ciphertext)");
        }
    }

    private GcmBlockCipher Sm4Gcm(bool encrypt, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad)
    {
        var cipher = new GcmBlockCipher(new SM4Engine());
        cipher.Init(encrypt, new AeadParameters(new KeyParameter(key), TagSize * 8, nonce.ToArray(), aad.ToArray()));
        return cipher;
    }

    private byte[] AesCbc(bool encrypt, ReadOnlySpan<byte> input, byte[] iv)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        try
        {
            return encrypt ? aes.EncryptCbc(input, iv, PaddingMode.PKCS7) : aes.DecryptCbc(input, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the CBC padding is invalid (wrong key, IV, or altered ciphertext)");
        }
    }

    private byte[] AesEcb(bool encrypt, ReadOnlySpan<byte> input)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        try
        {
            return encrypt ? aes.EncryptEcb(input, PaddingMode.PKCS7) : aes.DecryptEcb(input, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the ECB padding is invalid (wrong key or altered ciphertext)");
        }
    }

    private byte[] Sm4Padded(bool encrypt, IBlockCipher mode, ReadOnlySpan<byte> input, byte[]? iv)
    {
        var cipher = new PaddedBufferedBlockCipher(mode, new Pkcs7Padding());
        ICipherParameters parameters = iv is null ? new KeyParameter(key) : new ParametersWithIV(new KeyParameter(key), iv);
        cipher.Init(encrypt, parameters);
        try
        {
            return cipher.DoFinal(input.ToArray());
        }
        catch (InvalidCipherTextException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the SM4 padding is invalid (wrong key, IV, or altered ciphertext)");
        }
    }

    private byte[] KeyWrap(bool wrap, ReadOnlySpan<byte> input)
    {
        if (input.Length % 8 != 0 || input.Length < (wrap ? 16 : 24))
        {
            throw new RefusalException(wrap ? EnclaveStatus.InvalidInput : EnclaveStatus.InvalidCiphertext,
                $"AES key wrap takes a multiple of 8 bytes, at least {(wrap ? 16 : 24)}; got {input.Length}");
        }

        var engine = new AesWrapEngine();
        engine.Init(wrap, new KeyParameter(key));
        byte[] bytes = input.ToArray();
        try
        {
            return wrap ? engine.Wrap(bytes, 0, bytes.Length) : engine.Unwrap(bytes, 0, bytes.Length);
        }
        catch (InvalidCipherTextException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the wrapped key's integrity check fails");
        }
    }

    private static byte[] IvOrNew(ReadOnlySpan<byte> iv, int size)
    {
        if (iv.IsEmpty)
        {
            return RandomNumberGenerator.GetBytes(size);
        }

        return iv.Length == size ? iv.ToArray() : throw new RefusalException(EnclaveStatus.InvalidInput, $"an IV of {iv.Length} bytes ({size} expected)");
    }

    private static void NoIv(ReadOnlySpan<byte> iv, Scheme scheme)
    {
        if (!iv.IsEmpty)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"{scheme} takes no IV");
        }
    }

    private static void CheckBlocks(ReadOnlySpan<byte> ciphertext, Scheme scheme)
    {
        if (ciphertext.Length == 0 || ciphertext.Length % BlockSize != 0)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, $"a {scheme} ciphertext of {ciphertext.Length} bytes (a positive multiple of 16 expected)");
        }
    }
}
