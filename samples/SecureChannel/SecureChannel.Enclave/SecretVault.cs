using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;
using SecureChannelSample;

namespace SecureChannel.Enclave;

/// <summary>
/// What the enclave does with a secret, whichever protocol brought it: seal it to this enclave's signer, have the host
/// store the sealed blob, and make the acknowledgement (the secret's SHA-256, so the client can check what arrived,
/// and the sealed blob's length and number). Called on the ECALL thread, so the OCALL is allowed.
/// </summary>
internal sealed class SecretVault(EnclaveContext context, SecureChannelOcallProxy host)
{
    /// <summary>Additional data bound into every sealed blob of this sample.</summary>
    public static ReadOnlySpan<byte> SealLabel => "SecureChannel sample secret"u8;

    public byte[] Accept(ReadOnlySpan<byte> secret)
    {
        byte[] blob = context.Sealer.Seal(secret, SealLabel, SealPolicy.Signer);
        int stored = host.StoreSealed(blob);
        string digest = Convert.ToHexStringLower(SHA256.HashData(secret));
        string ack = stored < 0
            ? $"error: the host did not store the sealed blob; sha256={digest}"
            : string.Create(CultureInfo.InvariantCulture, $"ack sha256={digest} sealed={blob.Length} stored=#{stored}");
        return Encoding.UTF8.GetBytes(ack);
    }
}
