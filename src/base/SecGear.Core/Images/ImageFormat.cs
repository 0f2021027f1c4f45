using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.Images;

/// <summary>Constants and digests of image format version 1 (docs/image-format.md).</summary>
internal static class ImageFormat
{
    public const ushort Version = 1;

    public const int HeaderSize = 20;

    public const ushort SignatureAlgorithmEcdsaP384Sha384 = 1;

    public const int EcdsaP384SignatureSize = 96;

    public const int FileHashSize = 32;

    public const int SigningDigestSize = 48;

    public const string P384Oid = "1.3.132.0.34";

    public static ReadOnlySpan<byte> Magic => "SGIMAGE\0"u8;

    private static ReadOnlySpan<byte> MeasurementDomain => "SecGear.NET/measurement/v1\0"u8;

    private static ReadOnlySpan<byte> SigstructDomain => "SecGear.NET/sigstruct/v1\0"u8;

    /// <summary>SHA-256 over the domain, the canonical manifest and the canonical file table.</summary>
    public static byte[] ComputeMeasurement(ReadOnlySpan<byte> manifest, int fileCount, ReadOnlySpan<byte> fileTable)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> u32 = stackalloc byte[4];
        hash.AppendData(MeasurementDomain);
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)manifest.Length);
        hash.AppendData(u32);
        hash.AppendData(manifest);
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)fileCount);
        hash.AppendData(u32);
        hash.AppendData(fileTable);
        return hash.GetHashAndReset();
    }

    /// <summary>The sigstruct: the fixed-layout structure whose SHA-384 is signed.</summary>
    public static byte[] BuildSigstruct(ReadOnlySpan<byte> measurement, EnclaveManifest manifest)
    {
        var sigstruct = new byte[SigstructDomain.Length + 2 + 32 + 2 + 2 + 1 + 4 + 8];
        var span = sigstruct.AsSpan();
        SigstructDomain.CopyTo(span);
        span = span[SigstructDomain.Length..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, Version);
        measurement.CopyTo(span[2..]);
        span = span[34..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, manifest.ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], manifest.SecurityVersion);
        span[4] = manifest.Debug ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], (uint)manifest.MaxThreads);
        BinaryPrimitives.WriteUInt64LittleEndian(span[9..], (ulong)manifest.HeapLimit);
        return sigstruct;
    }

    /// <summary>SHA-384 of the sigstruct: the value an ECDSA P-384 key signs.</summary>
    public static byte[] ComputeSigningDigest(ReadOnlySpan<byte> measurement, EnclaveManifest manifest) =>
        SHA384.HashData(BuildSigstruct(measurement, manifest));

    /// <summary>SHA-256 of the signer's SubjectPublicKeyInfo DER (MRSIGNER analogue).</summary>
    public static byte[] ComputeSigner(ReadOnlySpan<byte> subjectPublicKeyInfo) => SHA256.HashData(subjectPublicKeyInfo);
}
