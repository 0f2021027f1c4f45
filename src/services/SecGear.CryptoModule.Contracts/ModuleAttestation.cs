using System.Security.Cryptography;

namespace SecGear.CryptoModule;

/// <summary>
/// Evidence of the module's enclave. Its report data is <see cref="ReportData"/>(nonce, store key check), so a client
/// that chose the nonce knows the evidence is fresh and which store key the enclave holds.
/// </summary>
/// <param name="Evidence">The evidence bytes (format detected from content, e.g. <c>secgear-simulation</c>).</param>
/// <param name="StoreKeyCheck">The store wrapping key's 8-byte check value (not secret: a hash).</param>
/// <param name="Engine">The engine running the enclave.</param>
public sealed record ModuleAttestation(byte[] Evidence, byte[] StoreKeyCheck, string Engine)
{
    /// <summary>SHA-256 of <c>"secgear-cm-attest/1" ‖ nonce ‖ storeKeyCheck</c>: the report data the evidence must carry.</summary>
    public static byte[] ReportData(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> storeKeyCheck)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("secgear-cm-attest/1"u8);
        hash.AppendData(nonce);
        hash.AppendData(storeKeyCheck);
        return hash.GetHashAndReset();
    }
}
