using System.Security.Cryptography;
using SecGear.Identity;
using SecGear.Trusted.Sealing;

namespace SecGear.Trusted.Platform;

/// <summary>
/// The simulation engine's TEE (DESIGN.md section 6): a per-machine platform secret file plays the fused key, and
/// sealing keys are derived from it with HKDF-SHA-256 over the policy identity. See docs/sealing.md.
/// </summary>
public sealed partial class SimulatedPlatform : IAttestingPlatform, IDisposable
{
    private readonly Lock _gate = new();
    private readonly string _secretPath;
    private readonly bool _isolated;
    private byte[]? _secret;
    private bool _disposed;

    /// <summary>Creates the platform for the enclave <paramref name="self"/>. The secret is read (or created) on first key derivation.</summary>
    /// <param name="self">The identity the loader measured for this enclave.</param>
    /// <param name="options">Where the platform secret lives; defaults to <see cref="SimulatedPlatformOptions.DefaultSecretPath"/>.</param>
    public SimulatedPlatform(EnclaveIdentity self, SimulatedPlatformOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        if (self.Measurement.Length != 32 || self.Signer.Length != 32)
        {
            throw new ArgumentException("The enclave identity's measurement and signer must be 32-byte SHA-256 values.", nameof(self));
        }

        // Copy: the caller keeps references to the arrays, and the identity must not change after measurement.
        Identity = self with { Measurement = (byte[])self.Measurement.Clone(), Signer = (byte[])self.Signer.Clone() };
        _secretPath = (options ?? new SimulatedPlatformOptions()).SecretPath;
        _isolated = options?.Isolated ?? true;
        ArgumentException.ThrowIfNullOrEmpty(_secretPath, nameof(options));
    }

    /// <inheritdoc/>
    public EnclaveIdentity Identity { get; }

    /// <summary>Where the platform secret is read from.</summary>
    public string SecretPath => _secretPath;

    private static ReadOnlySpan<byte> Domain => "SecGear.NET/seal-key/v1\0"u8;

    /// <inheritdoc/>
    /// <exception cref="PlatformSecretException">The platform secret file is unusable.</exception>
    /// <exception cref="ObjectDisposedException">The platform has been disposed.</exception>
    public void DeriveSealKey(in SealKeyRequest request, Span<byte> key)
    {
        SealKeyDerivation.Validate(request, Identity, key);
        Span<byte> info = stackalloc byte[Domain.Length + SealKeyDerivation.InfoFieldsLength];
        SealKeyDerivation.WriteInfo(Domain, request, Identity, info);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _secret ??= PlatformSecretFile.LoadOrCreate(_secretPath);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, _secret, key, request.KeyId.Span, info);
        }
    }

    /// <inheritdoc/>
    public void GetRandomBytes(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    /// <summary>
    /// Creates the platform secret if it does not exist, validates it, and returns its fingerprint: a non-secret
    /// 32-byte value (HKDF-SHA-256 of the secret under a dedicated label) that is equal wherever the same secret is read.
    /// </summary>
    /// <exception cref="PlatformSecretException">The secret file is unusable or cannot be created.</exception>
    public static byte[] EnsureSecret(SimulatedPlatformOptions? options = null)
    {
        var secret = PlatformSecretFile.LoadOrCreate((options ?? new SimulatedPlatformOptions()).SecretPath);
        try
        {
            return PlatformKeys.PlatformId(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Zeroes the platform secret held in memory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_secret is not null)
            {
                CryptographicOperations.ZeroMemory(_secret);
                _secret = null;
            }

            _attestationKey?.Dispose();
            _attestationKey = null;

            _disposed = true;
        }
    }
}
