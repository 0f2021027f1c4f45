namespace SecGear.CryptoModule.Binary;

/// <summary>
/// One key operation on the binary transport: the fields of the matching JSON request, laid out like an
/// <see cref="EnclaveRequest"/> (for <see cref="EnclaveOp.Verify"/> <see cref="Extra"/> is the signature and
/// <see cref="Iv"/> the SM2 user id; for <see cref="EnclaveOp.Sign"/> <see cref="Extra"/> is the SM2 user id; for
/// <see cref="EnclaveOp.MacVerify"/> <see cref="Extra"/> is the MAC). Empty means absent.
/// </summary>
/// <param name="Op">Sign, Verify, Encrypt, Decrypt, Mac or MacVerify.</param>
/// <param name="KeyId">The key id within the connection's tenant.</param>
public sealed record BinaryOperation(EnclaveOp Op, string KeyId)
{
    /// <summary>The scheme (<see cref="Scheme.Default"/>: the key's default).</summary>
    public Scheme Scheme { get; init; }

    /// <summary>Flags (<see cref="EnclaveRequestFlags.Prehashed"/>).</summary>
    public EnclaveRequestFlags Flags { get; init; }

    /// <summary>The key version to use; 0 for the primary.</summary>
    public uint Version { get; init; }

    /// <summary>The message, digest, plaintext or ciphertext.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The IV (or the SM2 user id of a verification).</summary>
    public ReadOnlyMemory<byte> Iv { get; init; }

    /// <summary>GCM additional authenticated data.</summary>
    public ReadOnlyMemory<byte> Aad { get; init; }

    /// <summary>The signature or MAC to verify, or the SM2 user id to sign with.</summary>
    public ReadOnlyMemory<byte> Extra { get; init; }

    /// <summary>Whether <paramref name="op"/> travels on the binary transport.</summary>
    public static bool IsSupported(EnclaveOp op) =>
        op is EnclaveOp.Sign or EnclaveOp.Verify or EnclaveOp.Encrypt or EnclaveOp.Decrypt or EnclaveOp.Mac or EnclaveOp.MacVerify;
}
