namespace SecGear.Attestation.AwsNitro;

/// <summary>Options of <see cref="NitroVerifier"/>.</summary>
public sealed class NitroVerifierOptions
{
    /// <summary>SHA-256 fingerprint of AWS Nitro Enclaves Root-G1 (CN=aws.nitro-enclaves, ECDSA P-384, 2019-10-28..2049-10-28).</summary>
    public const string AwsNitroRootG1Fingerprint = "641A0321A3E244EFE456463195D606317ED7CDCC3C1756E09893F3C68F79BB5B";

    /// <summary>The AWS Nitro Enclaves Root-G1 only.</summary>
    public static TrustAnchors AwsProduction { get; } = TrustAnchors.FromFingerprints([AwsNitroRootG1Fingerprint]);

    /// <summary>Roots accepted as <c>cabundle[0]</c>. Default: <see cref="AwsProduction"/>.</summary>
    public TrustAnchors TrustAnchors { get; init; } = AwsProduction;

    /// <summary>
    /// When true, certificate validity is checked at the document's own timestamp instead of the verification time
    /// (the leaf lives about three hours, so archived documents verify); freshness is then the caller's concern.
    /// Default false: validity at the verification time.
    /// </summary>
    public bool CheckValidityAtDocumentTime { get; init; }

    /// <summary>Largest document accepted, in bytes (default 64 KiB; real documents are 4..8 KB).</summary>
    public int MaxDocumentSize { get; init; } = 64 * 1024;
}
