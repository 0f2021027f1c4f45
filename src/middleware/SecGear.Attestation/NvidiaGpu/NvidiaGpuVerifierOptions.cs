namespace SecGear.Attestation.NvidiaGpu;

/// <summary>Options of <see cref="NvidiaGpuVerifier"/>.</summary>
public sealed class NvidiaGpuVerifierOptions
{
    /// <summary>SHA-256 of the NVIDIA Device Identity CA (ECDSA P-384, serial 2D3670B1..., 2021-11-05..9999-12-31): root of GPU and NVSwitch device chains.</summary>
    public const string NvidiaDeviceIdentityRootFingerprint = "102BF659D5419614C9D8E6AECEBC80454EB26B1DF6A769AC720B9A690B167B48";

    /// <summary>SHA-256 of the NVIDIA CoRIM signing Root CA (ECDSA P-384, serial 45DAE3A0..., 2023-03-16..2053-03-08): root of RIM signer chains only.</summary>
    public const string NvidiaRimRootFingerprint = "12977B5115ACB0381179279FFFEB5A8C4D264971EBB32298023A465FA41DF5D1";

    /// <summary>The NVIDIA Device Identity CA only.</summary>
    public static TrustAnchors NvidiaDeviceProduction { get; } = TrustAnchors.FromFingerprints([NvidiaDeviceIdentityRootFingerprint]);

    /// <summary>The NVIDIA CoRIM signing Root CA only.</summary>
    public static TrustAnchors NvidiaRimProduction { get; } = TrustAnchors.FromFingerprints([NvidiaRimRootFingerprint]);

    /// <summary>Roots accepted at the end of a device certificate chain. Default: <see cref="NvidiaDeviceProduction"/> (never the RIM root).</summary>
    public TrustAnchors DeviceTrustAnchors { get; init; } = NvidiaDeviceProduction;

    /// <summary>Roots accepted at the end of a RIM signer chain. Default: <see cref="NvidiaRimProduction"/> (never the device root).</summary>
    public TrustAnchors RimTrustAnchors { get; init; } = NvidiaRimProduction;

    /// <summary>
    /// When true (default), each RIM's version must equal the report's driver / VBIOS version. Set false only to
    /// compare measurements of a RIM for another version (diagnostics); the claims still record the versions.
    /// </summary>
    public bool RequireRimVersionMatch { get; init; } = true;

    /// <summary>How long an OCSP response without nextUpdate counts as current after its thisUpdate (default one day).</summary>
    public TimeSpan OcspMaxAgeWithoutNextUpdate { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Largest evidence accepted, in bytes (default 64 KiB; real evidence is about 14 KB of text).</summary>
    public int MaxEvidenceSize { get; init; } = 64 * 1024;
}
