using System.Buffers.Binary;
using SecGear.Identity;
using SecGear.Trusted.Sealing;

namespace SecGear.Trusted.Platform;

/// <summary>
/// The checks and the HKDF info every platform applies to a <see cref="SealKeyRequest"/>, so that each derives keys
/// bound to the same identity fields in the same unambiguous encoding (docs/sealing.md).
/// </summary>
public static class SealKeyDerivation
{
    /// <summary>The length of the info after the domain: policy (1) ‖ policy identity (32) ‖ product id or 0 (2) ‖ security version (2) ‖ debug (1).</summary>
    public const int InfoFieldsLength = 1 + 32 + 2 + 2 + 1;

    /// <summary>Checks the key buffer, key id and security version of a request.</summary>
    /// <exception cref="ArgumentException">The buffer is not <see cref="SealKeyRequest.KeyLength"/> bytes, the key id not <see cref="SealKeyRequest.KeyIdLength"/>, or the version above the enclave's.</exception>
    public static void Validate(in SealKeyRequest request, EnclaveIdentity identity, Span<byte> key)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (key.Length != SealKeyRequest.KeyLength)
        {
            throw new ArgumentException($"The key buffer must be {SealKeyRequest.KeyLength} bytes.", nameof(key));
        }

        if (request.KeyId.Length != SealKeyRequest.KeyIdLength)
        {
            throw new ArgumentException($"The key id must be {SealKeyRequest.KeyIdLength} bytes.", nameof(request));
        }

        if (request.SecurityVersion > identity.SecurityVersion)
        {
            throw new ArgumentException(
                $"A key for security version {request.SecurityVersion} was requested; this enclave is at {identity.SecurityVersion}.", nameof(request));
        }
    }

    /// <summary>
    /// Writes the HKDF info: <paramref name="domain"/> ‖ policy ‖ measurement (Enclave) or signer (Signer) ‖ 0 or product
    /// id (u16 LE) ‖ security version (u16 LE) ‖ debug. Fixed-length fields keep it unambiguous.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown policy, or <paramref name="info"/> is not domain + <see cref="InfoFieldsLength"/> bytes.</exception>
    public static void WriteInfo(ReadOnlySpan<byte> domain, in SealKeyRequest request, EnclaveIdentity identity, Span<byte> info)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (info.Length != domain.Length + InfoFieldsLength)
        {
            throw new ArgumentException($"The info buffer must be {domain.Length + InfoFieldsLength} bytes.", nameof(info));
        }

        domain.CopyTo(info);
        var rest = info[domain.Length..];
        rest[0] = (byte)request.Policy;
        switch (request.Policy)
        {
            case SealPolicy.Enclave:
                identity.Measurement.CopyTo(rest[1..]);
                BinaryPrimitives.WriteUInt16LittleEndian(rest[33..], 0);
                break;
            case SealPolicy.Signer:
                identity.Signer.CopyTo(rest[1..]);
                BinaryPrimitives.WriteUInt16LittleEndian(rest[33..], identity.ProductId);
                break;
            default:
                throw new ArgumentException($"Unknown seal policy {(byte)request.Policy}.", nameof(request));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(rest[35..], request.SecurityVersion);
        rest[37] = identity.Debug ? (byte)1 : (byte)0;
    }
}
