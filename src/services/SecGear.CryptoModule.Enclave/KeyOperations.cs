using System.Buffers.Binary;
using System.Security.Cryptography;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// Serves one parsed <see cref="EnclaveRequest"/>: checks usage against the attributes bound into the key blob, opens
/// the key, runs the algorithm. Returns the two results or throws <see cref="RefusalException"/>.
/// </summary>
internal sealed class KeyOperations
{
    /// <summary>Largest random request.</summary>
    public const int MaxRandomBytes = 65536;

    private readonly KeyCache _cache = new();
    private readonly EnclaveSealer _sealer;
    private readonly RandomNumberGenerator _random;
    private readonly KeyProvisioning _provisioning;
    private StoreKey? _storeKey;

    public KeyOperations(EnclaveSealer sealer, RandomNumberGenerator random, IAttestingPlatform? platform)
    {
        _sealer = sealer;
        _random = random;
        _provisioning = new KeyProvisioning(this, platform);
    }

    public (byte[] First, byte[] Second) Handle(in EnclaveRequest request)
    {
        switch (request.Op)
        {
            case EnclaveOp.Initialize:
                return Initialize(request.Data);
            case EnclaveOp.Digest:
                return (Digests.Hash(request.Scheme, request.Data), []);
            case EnclaveOp.Random:
                return (RandomBytes(request.Extra), []);
            case EnclaveOp.GenerateKey:
                return GenerateKey(request);
            case EnclaveOp.BrokerBegin or EnclaveOp.BrokerInstall or EnclaveOp.ImportParameters or EnclaveOp.ImportKey or EnclaveOp.Attest:
                return _provisioning.Handle(request);
        }

        var key = Open(request);
        bool prehashed = (request.Flags & EnclaveRequestFlags.Prehashed) != 0;
        switch (request.Op)
        {
            case EnclaveOp.Sign:
                RequireUsage(request, KeyUsage.Sign);
                return (key.Sign(request.Scheme, prehashed, request.Data, request.Extra), []);
            case EnclaveOp.Verify:
                RequireUsage(request, KeyUsage.Sign);
                return ([key.Verify(request.Scheme, prehashed, request.Data, request.Extra, request.Iv) ? (byte)1 : (byte)0], []);
            case EnclaveOp.Encrypt:
                RequireEncryption(request);
                return key.Encrypt(request.Scheme, request.Data, request.Iv, request.Aad);
            case EnclaveOp.Decrypt:
                RequireEncryption(request);
                return (key.Decrypt(request.Scheme, request.Data, request.Iv, request.Aad), []);
            case EnclaveOp.Mac:
                RequireUsage(request, KeyUsage.Mac);
                return (key.Mac(request.Data), []);
            case EnclaveOp.MacVerify:
                RequireUsage(request, KeyUsage.Mac);
                return ([CryptographicOperations.FixedTimeEquals(key.Mac(request.Data), request.Extra) ? (byte)1 : (byte)0], []);
            case EnclaveOp.GenerateDataKey:
                RequireEncryption(request);
                return GenerateDataKey(request, key);
            default:
                throw new RefusalException(EnclaveStatus.MalformedRequest, $"unknown operation {(byte)request.Op}");
        }
    }

    /// <summary>Whether a request is a GCM encryption, which the large-data path writes straight into its response.</summary>
    public static bool IsGcmEncryption(in EnclaveRequest request) =>
        request.Op == EnclaveOp.Encrypt && request.Scheme is Scheme.Default or Scheme.Gcm && request.Spec is KeySpec.Aes256 or KeySpec.Sm4;

    /// <summary>The response length of a GCM encryption of <paramref name="plaintextLength"/> bytes.</summary>
    public static int GcmResponseLength(int plaintextLength) =>
        EnclaveResponse.Overhead + plaintextLength + SymmetricKey.TagSize + SymmetricKey.GcmIvSize;

    /// <summary>
    /// GCM encryption written as a whole response (<c>Ok</c>, ciphertext ‖ tag, IV) into <paramref name="response"/> of
    /// exactly <see cref="GcmResponseLength"/> bytes: no result array and no copy of the ciphertext (1 MiB requests).
    /// </summary>
    public void EncryptGcmInto(in EnclaveRequest request, Span<byte> response)
    {
        RequireEncryption(request);
        if (Open(request) is not SymmetricKey key)
        {
            throw new RefusalException(EnclaveStatus.UnsupportedScheme, $"a {request.Spec} key cannot encrypt with GCM");
        }

        int sealedLength = request.Data.Length + SymmetricKey.TagSize;
        Span<byte> nonce = response[^SymmetricKey.GcmIvSize..];
        if (request.Iv.IsEmpty)
        {
            _random.GetBytes(nonce);
        }
        else if (request.Iv.Length == SymmetricKey.GcmIvSize)
        {
            request.Iv.CopyTo(nonce);
        }
        else
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"an IV of {request.Iv.Length} bytes ({SymmetricKey.GcmIvSize} expected)");
        }

        response[0] = (byte)EnclaveStatus.Ok;
        BinaryPrimitives.WriteInt32LittleEndian(response[1..], sealedLength);
        key.GcmEncrypt(nonce, request.Data, request.Aad, response.Slice(5, sealedLength));
        BinaryPrimitives.WriteInt32LittleEndian(response[(5 + sealedLength)..], SymmetricKey.GcmIvSize);
    }

    /// <summary>The store key, or a refusal when the host has not installed one.</summary>
    public StoreKey StoreKey => Volatile.Read(ref _storeKey) ?? throw new RefusalException(EnclaveStatus.NotInitialized, "no store key installed yet");

    /// <summary>Opens the request's key (cached), after checking the host's claims against the blob.</summary>
    public LoadedKey Open(in EnclaveRequest request)
    {
        var storeKey = StoreKey;
        byte[] binding = request.KeyBinding();
        if (_cache.TryGet(binding, request.Blob, out var id, out var cached))
        {
            return cached;
        }

        var key = Load(request.Spec, storeKey.Unwrap(request.Blob, binding));
        _cache.Add(id, key);
        return key;
    }

    private (byte[], byte[]) Initialize(ReadOnlySpan<byte> sealedKey)
    {
        byte[] key;
        byte[] sealedBlob;
        if (sealedKey.IsEmpty)
        {
            key = RandomNumberGenerator.GetBytes(32);
            // Signer-bound: later builds of this module (same signer and product, security version not lower) open
            // it on this platform, so an upgrade keeps the keys; other enclaves and other machines cannot.
            sealedBlob = _sealer.Seal(key, "secgear-cm-store-key/1"u8, SealPolicy.Signer);
        }
        else
        {
            if (!_sealer.TryUnseal(sealedKey, out var unsealed))
            {
                throw new RefusalException(EnclaveStatus.StoreKeyUnavailable,
                    "the sealed store key does not unseal in this enclave (another enclave build or another platform sealed it)");
            }

            using (unsealed)
            {
                if (!unsealed.AdditionalData.AsSpan().SequenceEqual("secgear-cm-store-key/1"u8))
                {
                    throw new RefusalException(EnclaveStatus.StoreKeyUnavailable, "the sealed blob is not a crypto-module store key");
                }

                key = unsealed.Plaintext.ToArray();
            }

            sealedBlob = sealedKey.ToArray();
        }

        return (sealedBlob, InstallStoreKey(key).CheckValue);
    }

    /// <summary>Installs the store wrapping key (takes ownership of <paramref name="key"/>); installing the same key again is a no-op.</summary>
    public StoreKey InstallStoreKey(byte[] key)
    {
        var storeKey = new StoreKey(key);
        var previous = Interlocked.CompareExchange(ref _storeKey, storeKey, null);
        if (previous is null)
        {
            return storeKey;
        }

        storeKey.Dispose();
        return previous.CheckValue.AsSpan().SequenceEqual(storeKey.CheckValue)
            ? previous
            : throw new RefusalException(EnclaveStatus.MalformedRequest, "a different store key is installed already");
    }

    private (byte[], byte[]) GenerateKey(in EnclaveRequest request)
    {
        CheckSpecUsage(request.Spec, request.Usage);
        var storeKey = StoreKey;
        (byte[] material, byte[] publicKey) = request.Spec switch
        {
            KeySpec.EcP256 or KeySpec.EcP384 => EcKey.Generate(request.Spec),
            KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => RsaKey.Generate(request.Spec),
            KeySpec.Sm2 => Sm2Key.Generate(),
            KeySpec.Aes256 or KeySpec.Sm4 => (SymmetricKey.Generate(request.Spec), Array.Empty<byte>()),
            _ => (HmacKey.Generate(request.Spec), Array.Empty<byte>()),
        };
        try
        {
            return (storeKey.Wrap(material, request.KeyBinding()), publicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private (byte[], byte[]) GenerateDataKey(in EnclaveRequest request, LoadedKey key)
    {
        int length = request.Extra.Length == 1 ? request.Extra[0] : 0;
        if (length is < 16 or > 64)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"a data key of {length} bytes (16-64)");
        }

        byte[] dataKey = new byte[length];
        _random.GetBytes(dataKey);
        var (ciphertext, iv) = key.Encrypt(request.Scheme, dataKey, request.Iv, request.Aad);
        // One result carries plaintext ‖ iv, the other the ciphertext: the host splits at the known length.
        return ([.. dataKey, .. iv], ciphertext);
    }

    private byte[] RandomBytes(ReadOnlySpan<byte> lengthField)
    {
        int length = lengthField.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(lengthField) : -1;
        if (length is < 1 or > MaxRandomBytes)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"{length} random bytes asked (1-{MaxRandomBytes})");
        }

        var bytes = new byte[length];
        _random.GetBytes(bytes);
        return bytes;
    }

    /// <summary>Opens key material of <paramref name="spec"/> (zeroing asymmetric encodings once imported).</summary>
    public static LoadedKey Load(KeySpec spec, byte[] material)
    {
        try
        {
            return spec switch
            {
                KeySpec.EcP256 or KeySpec.EcP384 => EcKey.Load(spec, material),
                KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => RsaKey.Load(spec, material),
                KeySpec.Sm2 => Sm2Key.Load(material),
                KeySpec.Aes256 or KeySpec.Sm4 => SymmetricKey.Load(spec, material),
                KeySpec.HmacSha256 or KeySpec.HmacSha384 or KeySpec.HmacSm3 => new HmacKey(spec, material),
                _ => throw new RefusalException(EnclaveStatus.UnsupportedScheme, $"unknown key spec {(byte)spec}"),
            };
        }
        finally
        {
            if (spec is not (KeySpec.Aes256 or KeySpec.Sm4 or KeySpec.HmacSha256 or KeySpec.HmacSha384 or KeySpec.HmacSm3))
            {
                // Asymmetric material was imported into a key object; the encoded copy is no longer needed.
                CryptographicOperations.ZeroMemory(material);
            }
        }
    }

    /// <summary>Which usages each spec supports (enforced at generation; later calls are checked against the blob's binding).</summary>
    public static void CheckSpecUsage(KeySpec spec, KeyUsage usage)
    {
        bool ok = spec switch
        {
            KeySpec.EcP256 or KeySpec.EcP384 => usage == KeyUsage.Sign,
            KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => usage is KeyUsage.Sign or KeyUsage.Encrypt or KeyUsage.Wrap,
            KeySpec.Sm2 => usage is KeyUsage.Sign or KeyUsage.Encrypt,
            KeySpec.Aes256 or KeySpec.Sm4 => usage is KeyUsage.Encrypt or KeyUsage.Wrap,
            KeySpec.HmacSha256 or KeySpec.HmacSha384 or KeySpec.HmacSm3 => usage == KeyUsage.Mac,
            _ => false,
        };
        if (!ok)
        {
            throw new RefusalException(EnclaveStatus.UnsupportedScheme, $"a {spec} key cannot have usage {usage}");
        }
    }

    private static void RequireUsage(in EnclaveRequest request, KeyUsage usage)
    {
        if (request.Usage != usage)
        {
            throw new RefusalException(EnclaveStatus.WrongUsage, $"a key with usage {request.Usage} cannot {request.Op}");
        }
    }

    private static void RequireEncryption(in EnclaveRequest request)
    {
        if (request.Usage is not (KeyUsage.Encrypt or KeyUsage.Wrap))
        {
            throw new RefusalException(EnclaveStatus.WrongUsage, $"a key with usage {request.Usage} cannot {request.Op}");
        }

        if (request.Scheme == Scheme.AesKeyWrap && request.Usage != KeyUsage.Wrap)
        {
            throw new RefusalException(EnclaveStatus.WrongUsage, "AES key wrap needs a key with usage Wrap");
        }
    }
}
