using System.Security.Cryptography;
using SecGear.ConfidentialVm;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;

namespace SecGear.Cli.Tests;

/// <summary><c>secgear verify</c> of confidential-VM engine evidence: the hardware evidence is verified, then the enclave binding.</summary>
public sealed partial class VerifyCommandTests
{
    private string ConfidentialVmEvidence(bool patch)
    {
        var tree = new EmulatedConfigFsTsm(ConfidentialVmDetection.EmulatedReportRoot, new EmulatedTsmReport { Provider = TsmProviders.Tdx, Outblob = File.ReadAllBytes(V("tdx-v4/dcap-qvl/tdx_quote")), PatchReportData = patch });
        var tsm = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = ConfidentialVmDetection.EmulatedReportRoot }, tree);
        var enclave = new EnclaveIdentity(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 1, 1, false);
        string path = _cli.Path(patch ? "cvm-patched.bin" : "cvm.bin");
        File.WriteAllBytes(path, new ConfidentialVmPlatform(enclave, new ConfigFsTsmEvidenceSource(tsm)).GetEvidence("nonce"u8));
        return path;
    }

    [TestVectorFact]
    public void Confidential_vm_evidence_is_detected_its_tdx_quote_verified_and_the_unbound_recording_refused()
    {
        var (code, output, error) = _cli.Run("verify", "--evidence", ConfidentialVmEvidence(patch: false), "--collateral", V("tdx-v4/dcap-qvl/tdx_quote_collateral.json"), "--time", "2025-07-04T00:00:00Z");

        Assert.Equal(1, code);
        Assert.Contains("EnclaveBindingMismatch", error + output, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Confidential_vm_evidence_whose_quote_carries_the_binding_fails_the_quote_signature()
    {
        var (code, output, error) = _cli.Run("verify", "--evidence", ConfidentialVmEvidence(patch: true), "--collateral", V("tdx-v4/dcap-qvl/tdx_quote_collateral.json"), "--time", "2025-07-04T00:00:00Z");

        Assert.Equal(1, code);
        Assert.Contains("QuoteSignatureInvalid", error + output, StringComparison.Ordinal);
    }
}
