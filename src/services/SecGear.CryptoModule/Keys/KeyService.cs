using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Keys;

/// <summary>
/// The key operations of the API: looks up the tenant's key record (cached briefly), checks its state and version,
/// forwards the work to the enclave with the wrapped blob, and audits the use. Plaintext keys never pass through here.
/// </summary>
public sealed partial class KeyService(KeyStore store, ModuleEnclave enclave, AuditWriter audit, CryptoModuleOptions options)
{
    private readonly ConcurrentDictionary<(string Tenant, string Id), (StoredKey Key, long ReadAt)> _cache = new();

    /// <summary>The enclave.</summary>
    public ModuleEnclave Enclave => enclave;

    /// <summary>Generates a key in the enclave and stores it (acknowledged only once committed).</summary>
    public async Task<KeyInfo> CreateAsync(string tenant, CreateKeyRequest body)
    {
        string id = body.Id ?? ("k-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)));
        CheckNewKey(body.Spec, body.Usage, id, body.Label, "id must be 1-64 characters of A-Z a-z 0-9 . _ -.");
        var version = Generate(tenant, id, 1, body.Spec, body.Usage);
        var key = new StoredKey(tenant, id, body.Spec, body.Usage, KeyState.Enabled, 1, body.Label, version.Created, [version]);
        return await StoreNewAsync(key, "create").ConfigureAwait(false);
    }

    /// <summary>
    /// Imports a key whose material was wrapped (by the client) to the enclave's import key. The enclave opens it only
    /// for this tenant, id, spec and usage, checks it fits the spec, and answers it wrapped under the store key.
    /// </summary>
    public async Task<KeyInfo> ImportAsync(string tenant, ImportKeyRequest body)
    {
        string? id = body.Id;
        CheckNewKey(body.Spec, body.Usage, id, body.Label, "id is required (it is bound into the wrapping): 1-64 characters of A-Z a-z 0-9 . _ -.");
        var version = Import(tenant, id, 1, body.Spec, body.Usage, body.WrappedKey);
        var key = new StoredKey(tenant, id, body.Spec, body.Usage, KeyState.Enabled, 1, body.Label, version.Created, [version]);
        return await StoreNewAsync(key, "import").ConfigureAwait(false);
    }

    /// <summary>
    /// Imports wrapped material as the next primary version of an existing key: like <see cref="RotateAsync"/>, but the
    /// material comes from outside, wrapped for exactly that version. 409 when the version is not primary + 1 or a
    /// concurrent rotation won.
    /// </summary>
    public async Task<KeyInfo> ImportVersionAsync(string tenant, string id, ImportKeyVersionRequest body)
    {
        var key = Usable(await GetAsync(tenant, id, fresh: true).ConfigureAwait(false));
        uint next = key.PrimaryVersion + 1;
        if (body.Version != next)
        {
            throw new CryptoProblemException(StatusCodes.Status409Conflict, CryptoModuleErrorCodes.ConcurrentRotation,
                $"Key '{id}' is at version {key.PrimaryVersion}; an import creates version {next}, not {body.Version}. Wrap the material for version {next}.");
        }

        return await CommitVersionAsync(key, Import(tenant, id, next, key.Spec, key.Usage, body.WrappedKey), "import-version").ConfigureAwait(false);
    }

    /// <summary>Stores a new key (acknowledged only once committed); 409 when the tenant already has the id.</summary>
    private async Task<KeyInfo> StoreNewAsync(StoredKey key, string operation)
    {
        if (!await store.CreateKeyAsync(key).ConfigureAwait(false))
        {
            throw new CryptoProblemException(StatusCodes.Status409Conflict, CryptoModuleErrorCodes.AlreadyExists, $"The tenant already has a key '{key.Id}'.");
        }

        audit.Record(key.Tenant, key.Id, 1, operation, "ok");
        return key.ToInfo();
    }

    /// <summary>
    /// Stores <paramref name="version"/> as the key's new primary if the primary is still the one read in
    /// <paramref name="key"/> (a conditional update); 409 when a concurrent rotation or state change won.
    /// </summary>
    private async Task<KeyInfo> CommitVersionAsync(StoredKey key, StoredKeyVersion version, string operation)
    {
        if (!await store.RotateAsync(key.Tenant, key.Id, key.PrimaryVersion, version).ConfigureAwait(false))
        {
            Invalidate(key.Tenant, key.Id);
            audit.Record(key.Tenant, key.Id, version.Version, operation, CryptoModuleErrorCodes.ConcurrentRotation);
            throw new CryptoProblemException(StatusCodes.Status409Conflict, CryptoModuleErrorCodes.ConcurrentRotation,
                $"Another rotation of '{key.Id}' (or a state change) committed first; read the key and retry.");
        }

        Invalidate(key.Tenant, key.Id);
        audit.Record(key.Tenant, key.Id, version.Version, operation, "ok");
        return (await GetAsync(key.Tenant, key.Id, fresh: true).ConfigureAwait(false)).ToInfo();
    }

    /// <summary>Opens wrapped material in the enclave for this tenant, id, version, spec and usage; answers the version to store.</summary>
    private StoredKeyVersion Import(string tenant, string id, uint version, KeySpec spec, KeyUsage usage, WrappedKeyMaterial? wrapped)
    {
        if (wrapped is null)
        {
            throw CryptoProblemException.Malformed("wrappedKey is required.");
        }

        if (wrapped.EphemeralKey is not { Length: > 0 and <= 512 } || wrapped.Nonce is not { Length: 12 } || wrapped.Tag is not { Length: 16 }
            || wrapped.Ciphertext is not { Length: > 0 and <= 65536 })
        {
            throw CryptoProblemException.Malformed("wrappedKey needs ephemeralKey (SPKI), a 12-byte nonce, a 16-byte tag and 1-65536 bytes of ciphertext.");
        }

        var (blob, publicKey) = enclave.Call(new EnclaveRequest
        {
            Op = EnclaveOp.ImportKey,
            Spec = spec,
            Usage = usage,
            Version = version,
            Tenant = Encoding.UTF8.GetBytes(tenant),
            KeyId = Encoding.UTF8.GetBytes(id),
            Aad = wrapped.EphemeralKey,
            Iv = wrapped.Nonce,
            Data = wrapped.Ciphertext,
            Extra = wrapped.Tag,
        });
        return new StoredKeyVersion(version, blob, publicKey.Length == 0 ? null : publicKey, DateTimeOffset.UtcNow);
    }

    /// <summary>The store's import public key with evidence binding it to <paramref name="nonce"/>.</summary>
    public KeyImportParameters ImportParameters(string tenant, byte[] nonce)
    {
        var (publicKey, evidence) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.ImportParameters, Data = nonce });
        audit.Record(tenant, null, null, "import-parameters", "ok");
        return new KeyImportParameters(publicKey, evidence, enclave.EngineName);
    }

    /// <summary>A key of the tenant, or 404.</summary>
    public async Task<StoredKey> GetAsync(string tenant, string id, bool fresh = false)
    {
        long now = Stopwatch.GetTimestamp();
        if (!fresh && _cache.TryGetValue((tenant, id), out var cached) && Stopwatch.GetElapsedTime(cached.ReadAt, now) < options.KeyCacheLifetime)
        {
            return cached.Key;
        }

        var key = await store.GetKeyAsync(tenant, id).ConfigureAwait(false)
            ?? throw new CryptoProblemException(StatusCodes.Status404NotFound, CryptoModuleErrorCodes.KeyNotFound, $"The tenant has no key '{id}'.");
        _cache[(tenant, id)] = (key, now);
        return key;
    }

    /// <summary>The tenant's keys.</summary>
    public async Task<KeyList> ListAsync(string tenant) =>
        new([.. (await store.ListKeysAsync(tenant).ConfigureAwait(false)).Select(k => k.ToInfo())]);

    /// <summary>Adds a version generated in the enclave and makes it primary; 409 when a concurrent rotation won.</summary>
    public async Task<KeyInfo> RotateAsync(string tenant, string id)
    {
        var key = Usable(await GetAsync(tenant, id, fresh: true).ConfigureAwait(false));
        return await CommitVersionAsync(key, Generate(tenant, id, key.PrimaryVersion + 1, key.Spec, key.Usage), "rotate").ConfigureAwait(false);
    }

    /// <summary>Enables or disables a key.</summary>
    public async Task<KeyInfo> SetStateAsync(string tenant, string id, KeyState state)
    {
        var key = await GetAsync(tenant, id, fresh: true).ConfigureAwait(false);
        if (key.State == KeyState.Destroyed || !await store.SetStateAsync(tenant, id, state).ConfigureAwait(false))
        {
            throw Destroyed(id);
        }

        Invalidate(tenant, id);
        audit.Record(tenant, id, null, state == KeyState.Enabled ? "enable" : "disable", "ok");
        return (await GetAsync(tenant, id, fresh: true).ConfigureAwait(false)).ToInfo();
    }

    /// <summary>Destroys a key: its wrapped material is erased from the store.</summary>
    public async Task DestroyAsync(string tenant, string id)
    {
        await GetAsync(tenant, id, fresh: true).ConfigureAwait(false);
        if (!await store.DestroyAsync(tenant, id).ConfigureAwait(false))
        {
            throw Destroyed(id);
        }

        Invalidate(tenant, id);
        audit.Record(tenant, id, null, "destroy", "ok");
    }

    /// <summary>Signs with the primary version.</summary>
    public async Task<SignResponse> SignAsync(string tenant, string id, SignRequest body)
    {
        CheckInput(body.Data, nameof(body.Data));
        var (key, version) = await UseAsync(tenant, id, null).ConfigureAwait(false);
        var (signature, _) = Run(key, version, "sign", new EnclaveRequest
        {
            Op = EnclaveOp.Sign,
            Scheme = body.Scheme,
            Flags = body.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
            Data = body.Data,
            Extra = body.UserId,
        });
        return new SignResponse(signature, version.Version);
    }

    /// <summary>Verifies with the given (or primary) version.</summary>
    public async Task<VerifyResponse> VerifyAsync(string tenant, string id, VerifyRequest body)
    {
        CheckInput(body.Data, nameof(body.Data));
        CheckInput(body.Signature, nameof(body.Signature));
        var (key, version) = await UseAsync(tenant, id, body.Version).ConfigureAwait(false);
        var (valid, _) = Run(key, version, "verify", new EnclaveRequest
        {
            Op = EnclaveOp.Verify,
            Scheme = body.Scheme,
            Flags = body.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
            Data = body.Data,
            Extra = body.Signature,
            Iv = body.UserId,
        });
        return new VerifyResponse(valid is [1], version.Version);
    }

    /// <summary>Encrypts with the primary version.</summary>
    public async Task<EncryptResponse> EncryptAsync(string tenant, string id, EncryptRequest body)
    {
        CheckInput(body.Plaintext, nameof(body.Plaintext));
        var (key, version) = await UseAsync(tenant, id, null).ConfigureAwait(false);
        var (ciphertext, iv) = Run(key, version, "encrypt", new EnclaveRequest
        {
            Op = EnclaveOp.Encrypt,
            Scheme = body.Scheme,
            Data = body.Plaintext,
            Iv = body.Iv,
            Aad = body.Aad,
        });
        return new EncryptResponse(ciphertext, iv.Length == 0 ? null : iv, version.Version);
    }

    /// <summary>Decrypts with the given (or primary) version.</summary>
    public async Task<DecryptResponse> DecryptAsync(string tenant, string id, DecryptRequest body)
    {
        CheckInput(body.Ciphertext, nameof(body.Ciphertext));
        var (key, version) = await UseAsync(tenant, id, body.Version).ConfigureAwait(false);
        var (plaintext, _) = Run(key, version, "decrypt", new EnclaveRequest
        {
            Op = EnclaveOp.Decrypt,
            Scheme = body.Scheme,
            Data = body.Ciphertext,
            Iv = body.Iv,
            Aad = body.Aad,
        });
        return new DecryptResponse(plaintext);
    }

    /// <summary>Computes a MAC with the primary version.</summary>
    public async Task<MacResponse> MacAsync(string tenant, string id, MacRequest body)
    {
        CheckInput(body.Data, nameof(body.Data));
        var (key, version) = await UseAsync(tenant, id, null).ConfigureAwait(false);
        var (mac, _) = Run(key, version, "mac", new EnclaveRequest { Op = EnclaveOp.Mac, Data = body.Data });
        return new MacResponse(mac, version.Version);
    }

    /// <summary>Verifies a MAC with the given (or primary) version.</summary>
    public async Task<VerifyResponse> MacVerifyAsync(string tenant, string id, MacVerifyRequest body)
    {
        CheckInput(body.Data, nameof(body.Data));
        CheckInput(body.Mac, nameof(body.Mac));
        var (key, version) = await UseAsync(tenant, id, body.Version).ConfigureAwait(false);
        var (valid, _) = Run(key, version, "mac-verify", new EnclaveRequest { Op = EnclaveOp.MacVerify, Data = body.Data, Extra = body.Mac });
        return new VerifyResponse(valid is [1], version.Version);
    }

    /// <summary>Generates a data key in the enclave: plaintext plus a copy encrypted under the key.</summary>
    public async Task<DataKeyResponse> GenerateDataKeyAsync(string tenant, string id, DataKeyRequest body)
    {
        if (body.Length is < 16 or > 64)
        {
            throw new CryptoProblemException(StatusCodes.Status400BadRequest, CryptoModuleErrorCodes.InvalidInput, $"A data key of {body.Length} bytes (16-64).");
        }

        var (key, version) = await UseAsync(tenant, id, null).ConfigureAwait(false);
        var (plainAndIv, ciphertext) = Run(key, version, "generate-data-key", new EnclaveRequest
        {
            Op = EnclaveOp.GenerateDataKey,
            Scheme = body.Scheme,
            Aad = body.Aad,
            Extra = new[] { (byte)body.Length },
        });
        if (plainAndIv.Length < body.Length)
        {
            throw new CryptoProblemException(StatusCodes.Status503ServiceUnavailable, CryptoModuleErrorCodes.EnclaveUnavailable, "The enclave answered a short data key.");
        }

        byte[] iv = plainAndIv[body.Length..];
        return new DataKeyResponse(plainAndIv[..body.Length], ciphertext, iv.Length == 0 ? null : iv, version.Version);
    }

    /// <summary>Hashes data in the enclave.</summary>
    public DigestResponse Digest(string tenant, DigestRequest body)
    {
        CheckInput(body.Data, nameof(body.Data));
        var (digest, _) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.Digest, Scheme = body.Scheme, Data = body.Data });
        audit.Record(tenant, null, null, "digest", "ok");
        return new DigestResponse(digest);
    }

    /// <summary>Random bytes from the enclave.</summary>
    public RandomResponse Random(string tenant, RandomRequest body)
    {
        if (body.Length is < 1 or > 65536)
        {
            throw new CryptoProblemException(StatusCodes.Status400BadRequest, CryptoModuleErrorCodes.InvalidInput, $"{body.Length} random bytes asked (1-65536).");
        }

        byte[] length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, body.Length);
        var (bytes, _) = enclave.Call(new EnclaveRequest { Op = EnclaveOp.Random, Extra = length });
        audit.Record(tenant, null, null, "random", "ok");
        return new RandomResponse(bytes);
    }

    private StoredKeyVersion Generate(string tenant, string id, uint version, KeySpec spec, KeyUsage usage)
    {
        var (blob, publicKey) = enclave.Call(new EnclaveRequest
        {
            Op = EnclaveOp.GenerateKey,
            Spec = spec,
            Usage = usage,
            Version = version,
            Tenant = Encoding.UTF8.GetBytes(tenant),
            KeyId = Encoding.UTF8.GetBytes(id),
        });
        return new StoredKeyVersion(version, blob, publicKey.Length == 0 ? null : publicKey, DateTimeOffset.UtcNow);
    }

    private async Task<(StoredKey, StoredKeyVersion)> UseAsync(string tenant, string id, uint? version)
    {
        var key = Usable(await GetAsync(tenant, id).ConfigureAwait(false));
        uint wanted = version ?? key.PrimaryVersion;
        var found = key.Find(wanted);
        if (found is null && version is not null)
        {
            // Maybe rotated on another instance since the cached read.
            key = Usable(await GetAsync(tenant, id, fresh: true).ConfigureAwait(false));
            found = key.Find(wanted);
        }

        return found is null
            ? throw new CryptoProblemException(StatusCodes.Status404NotFound, CryptoModuleErrorCodes.KeyVersionNotFound, $"Key '{id}' has no version {wanted}.")
            : (key, found);
    }

    private (byte[], byte[]) Run(StoredKey key, StoredKeyVersion version, string operation, EnclaveRequest request)
    {
        try
        {
            var result = enclave.Call(request with
            {
                Spec = key.Spec,
                Usage = key.Usage,
                Version = version.Version,
                Blob = version.Blob,
                Tenant = Encoding.UTF8.GetBytes(key.Tenant),
                KeyId = Encoding.UTF8.GetBytes(key.Id),
            });
            audit.Record(key.Tenant, key.Id, version.Version, operation, "ok");
            return result;
        }
        catch (CryptoProblemException ex)
        {
            audit.Record(key.Tenant, key.Id, version.Version, operation, ex.Code);
            throw;
        }
    }

    private void CheckInput(byte[]? data, string name)
    {
        if (data is null)
        {
            throw CryptoProblemException.Malformed($"{char.ToLowerInvariant(name[0])}{name[1..]} is required.");
        }

        CheckInput(data.AsMemory(), name);
    }

    private void CheckInput(ReadOnlyMemory<byte> data, string name)
    {
        if (data.Length > options.MaxInputBytes)
        {
            throw new CryptoProblemException(StatusCodes.Status413PayloadTooLarge, CryptoModuleErrorCodes.PayloadTooLarge,
                $"{name} has {data.Length} bytes; the module takes at most {options.MaxInputBytes}.");
        }
    }

    /// <summary>The checks a new key's attributes pass before the enclave is asked for it.</summary>
    private static void CheckNewKey(KeySpec spec, KeyUsage usage, [NotNull] string? id, string? label, string idRule)
    {
        if (!Enum.IsDefined(spec) || !Enum.IsDefined(usage))
        {
            throw CryptoProblemException.Malformed("spec or usage is not a known value.");
        }

        if (id is null || !KeyIdPattern().IsMatch(id))
        {
            throw CryptoProblemException.Malformed(idRule);
        }

        if (label is { Length: > 256 })
        {
            throw CryptoProblemException.Malformed("label is longer than 256 characters.");
        }
    }

    private static StoredKey Usable(StoredKey key) => key.State switch
    {
        KeyState.Enabled => key,
        KeyState.Disabled => throw new CryptoProblemException(StatusCodes.Status409Conflict, CryptoModuleErrorCodes.KeyDisabled, $"Key '{key.Id}' is disabled."),
        _ => throw Destroyed(key.Id),
    };

    private static CryptoProblemException Destroyed(string id) =>
        new(StatusCodes.Status410Gone, CryptoModuleErrorCodes.KeyDestroyed, $"Key '{id}' was destroyed.");

    private void Invalidate(string tenant, string id) => _cache.TryRemove((tenant, id), out _);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex KeyIdPattern();
}
