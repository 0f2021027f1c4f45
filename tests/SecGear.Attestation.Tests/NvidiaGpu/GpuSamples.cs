using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>GPU-1, GPU-N1 and GPU-RIM-1 of SOURCES.md.</summary>
internal static class GpuSamples
{
    /// <summary>Any instant after the chain's latest notBefore (2022-03-01) works for GPU-1.</summary>
    public static readonly DateTimeOffset Gpu1Time = TestVectors.At("2024-06-01T00:00:00Z");

    /// <summary>Inside the GPU-RIM-1 window 2023-06-27T06:10:12Z..2025-06-22T09:38:54Z.</summary>
    public static readonly DateTimeOffset RimTime = TestVectors.At("2024-06-01T00:00:00Z");

    public const string Gpu1Nonce = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

    public const string Gpu1Fwid = "f5c384aebb579217a2c66b17ed0f28e6a9b8d639041acd7b4721cec004f7275494ba94bb5cdfdb3055ee051762b1f75d";

    public static byte[] ReportHex => TestVectors.Read("nvidia-gpu/trustee/hopperAttestationReport.txt");

    public static byte[] Report => TestVectors.ReadHex("nvidia-gpu/trustee/hopperAttestationReport.txt");

    public static byte[] Chain => TestVectors.Read("nvidia-gpu/trustee/hopper_cert_chain_case1.txt");

    /// <summary>GPU-1 as canonical evidence: hex report, line feed, PEM chain.</summary>
    public static byte[] Gpu1Evidence => NvidiaGpuEvidence.Encode(Report, Chain);

    public static byte[] DriverRim => TestVectors.Read("nvidia-gpu/nvtrust/Driver_RIM_test_no_gpu.swidtag");

    public static byte[] VbiosRim => TestVectors.Read("nvidia-gpu/nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag");

    public static NvidiaGpuCollateral RimCollateral => NvidiaGpuCollateral.Load([DriverRim, VbiosRim]);

    public static byte[] WithChain(string chainFile) => NvidiaGpuEvidence.Encode(Report, TestVectors.Read($"nvidia-gpu/trustee/{chainFile}"));
}
