using System.Text.Json;

namespace SecGear.Cli.Tests;

/// <summary><c>secgear verify</c> on NVIDIA GPU evidence (GPU-1, GPU-N1, GPU-RIM-1).</summary>
public sealed partial class VerifyCommandTests
{
    private const string GpuReport = "nvidia-gpu/trustee/hopperAttestationReport.txt";

    [TestVectorFact]
    public void Gpu1_report_and_its_device_chain_verify_with_the_nonce_as_report_data()
    {
        var (code, output, error) = _cli.Run("verify", "--evidence", V(GpuReport), "--device-chain", V("nvidia-gpu/trustee/hopper_cert_chain_case1.txt"), "--time", "2024-06-01T00:00:00Z", "--json");

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output);
        var claims = json.RootElement.GetProperty("claims");
        Assert.Equal("nvidia-gpu-spdm", claims.GetProperty("format").GetString());
        Assert.Equal("NvidiaGpu", claims.GetProperty("tee").GetString());
        Assert.Equal("931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb", claims.GetProperty("report_data").GetString());
    }

    [TestVectorFact]
    public void Gpu1_with_a_chain_missing_its_intermediate_is_rejected()
    {
        var (code, output, _) = _cli.Run("verify", "--evidence", V(GpuReport), "--device-chain", V("nvidia-gpu/trustee/hopper_cert_chain_case3.txt"), "--time", "2024-06-01T00:00:00Z", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("CertificateIssuerMismatch", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
    }

    [TestVectorFact]
    public void Gpu1_with_the_gpu_rim_1_files_as_collateral_fails_on_the_reference_values()
    {
        var (code, output, _) = _cli.Run(
            "verify", "--evidence", V(GpuReport), "--device-chain", V("nvidia-gpu/trustee/hopper_cert_chain_case1.txt"),
            "--collateral", V("nvidia-gpu/nvtrust/Driver_RIM_test_no_gpu.swidtag"), "--collateral", V("nvidia-gpu/nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag"),
            "--time", "2024-06-01T00:00:00Z", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("ReferenceValueMismatch", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
        Assert.Equal("545.00", json.RootElement.GetProperty("claims").GetProperty("fields").GetProperty("rim_driver_version").GetString());
    }
}
