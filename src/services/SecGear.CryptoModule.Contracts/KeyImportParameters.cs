using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.CryptoModule;

/// <summary>
/// What a client needs to import a key wrapped to the module's enclave (like a cloud KMS import token): the store's
/// import public key and evidence binding it. The import key is a P-256 key the enclave derives from the store wrapping
/// key, so every instance sharing the store answers the same key; its private half never leaves the enclave.
/// </summary>
/// <param name="PublicKey">The import key's SubjectPublicKeyInfo (DER, P-256).</param>
/// <param name="Evidence">Evidence of the enclave whose report data is <see cref="ReportData"/>(nonce, <paramref name="PublicKey"/>).</param>
/// <param name="Engine">The engine running the enclave.</param>
public sealed record KeyImportParameters(byte[] PublicKey, byte[] Evidence, string Engine)
{
    /// <summary>The envelope algorithm of wrapped key material (the attestation service's resource envelope).</summary>
    public const string Algorithm = "ECDH-ES-P256+HKDF-SHA256+A256GCM";

    /// <summary>SHA-256 of <c>"secgear-cm-import/1" ‖ len(nonce) u32be ‖ nonce ‖ public key</c>: the report data the evidence carries.</summary>
    public static byte[] ReportData(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> publicKey)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)nonce.Length);
        hash.AppendData("secgear-cm-import/1"u8);
        hash.AppendData(length);
        hash.AppendData(nonce);
        hash.AppendData(publicKey);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The associated data ("path") wrapped material is sealed under: it names the tenant, key id, spec and usage, so the
    /// host cannot import the same wrapped material as another key, for another tenant, or with another usage.
    /// </summary>
    /// <remarks>
    /// A version after the first (an import into a rotation) is named too, so the host cannot replay material wrapped
    /// for one version as a later one and make an old key primary again.
    /// </remarks>
    public static string WrapPath(string tenant, string keyId, KeySpec spec, KeyUsage usage, uint version = 1) =>
        version == 1 ? $"secgear-cm-import/1/{tenant}/{keyId}/{spec}/{usage}" : $"secgear-cm-import/1/{tenant}/{keyId}/{spec}/{usage}/v{version}";
}
