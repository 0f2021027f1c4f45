using System.Security.Cryptography;

namespace SecGear.Images;

/// <summary>Validation of the signer's public key and of signatures over the signing digest.</summary>
internal static class SignerKey
{
    /// <summary>Imports a canonical P-384 SubjectPublicKeyInfo, or throws <see cref="EnclaveImageFailureCode.InvalidPublicKey"/>.</summary>
    public static ECDsa ImportPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            if (read != subjectPublicKeyInfo.Length)
            {
                throw Invalid($"{subjectPublicKeyInfo.Length - read} bytes follow the SubjectPublicKeyInfo");
            }

            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (curve.Oid?.Value != ImageFormat.P384Oid)
            {
                throw Invalid($"the key's curve is {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "explicit"}, expected P-384");
            }

            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(subjectPublicKeyInfo))
            {
                throw Invalid("the SubjectPublicKeyInfo is not in canonical (named curve, uncompressed point) form");
            }

            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or NotSupportedException)
        {
            key.Dispose();
            throw new EnclaveImageException(EnclaveImageFailureCode.InvalidPublicKey, "Signer public key is not a valid SubjectPublicKeyInfo.", ex);
        }
        catch (EnclaveImageException)
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Verifies an IEEE P1363 (r||s) signature over the signing digest.</summary>
    public static bool Verify(ECDsa key, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        signature.Length == ImageFormat.EcdsaP384SignatureSize
        && key.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static EnclaveImageException Invalid(string what) =>
        new(EnclaveImageFailureCode.InvalidPublicKey, $"Signer public key rejected: {what}.");
}
