using System.Security.Cryptography;

namespace SecGear.AttestationService.Client;

/// <summary>Opening a sealed resource with the recipient key that was bound into the evidence.</summary>
public static class ResourceResponseExtensions
{
    /// <summary>
    /// Decrypts the secret in <paramref name="response"/> with <paramref name="recipient"/> (the key whose
    /// SubjectPublicKeyInfo was the attestation's runtime data). The caller owns the returned bytes and should zero them
    /// (<see cref="CryptographicOperations.ZeroMemory"/>) when done.
    /// </summary>
    /// <exception cref="CryptographicException">The envelope is malformed, tampered, for another key or another path.</exception>
    public static byte[] Open(this ResourceResponse response, ECDiffieHellman recipient)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(recipient);
        return ResourceEnvelope.Open(recipient, response.Envelope, response.Path);
    }
}
