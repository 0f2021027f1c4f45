namespace SecGear.Images;

/// <summary>Why an enclave image was rejected (see docs/image-format.md, "Failures").</summary>
public enum EnclaveImageFailureCode
{
    /// <summary>The image file could not be read (missing, unreadable, not a regular file).</summary>
    Unreadable = 1,

    /// <summary>The image, a section or a count exceeds a limit in <see cref="EnclaveImageLimits"/>.</summary>
    TooLarge,

    /// <summary>The image ends before a section it declares.</summary>
    Truncated,

    /// <summary>The first eight bytes are not the image magic.</summary>
    BadMagic,

    /// <summary>The format version is not one this reader understands.</summary>
    UnsupportedVersion,

    /// <summary>Reserved header flags are set.</summary>
    UnsupportedFlags,

    /// <summary>The manifest is malformed: unknown, missing, repeated or out-of-order field, or a value out of range.</summary>
    InvalidManifest,

    /// <summary>A file path is empty, absolute, contains '..', '.', a backslash, a control character or bad UTF-8.</summary>
    InvalidPath,

    /// <summary>Two files have the same path, or the file table is not sorted by ordinal path.</summary>
    DuplicatePath,

    /// <summary>Bytes follow the signature block.</summary>
    TrailingData,

    /// <summary>A file's content does not hash to the value recorded for it.</summary>
    MeasurementMismatch,

    /// <summary>The signature block names an algorithm this reader does not support.</summary>
    UnsupportedSignatureAlgorithm,

    /// <summary>The signer's public key is not a canonical P-384 SubjectPublicKeyInfo.</summary>
    InvalidPublicKey,

    /// <summary>The signature does not verify over the signing digest (tampered manifest or files, or wrong key).</summary>
    SignatureInvalid,
}
