using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>Flipping any single bit of a signed CRL or of the TCB signing certificate fails (load or verification).</summary>
public sealed class CollateralTamperTests
{
    [TestVectorTheory]
    [InlineData("root_ca_crl")]
    [InlineData("pck_crl")]
    public void Flipping_one_bit_in_any_byte_of_a_crl_fails(string crl)
    {
        var fields = Fields();
        var der = Convert.FromHexString(fields[crl]);
        var verifier = Warm();

        for (int i = 0; i < der.Length; i++)
        {
            var copy = (byte[])der.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            AssertRejected(verifier, Build(fields, crl == "root_ca_crl" ? copy : null, crl == "pck_crl" ? copy : null, null), $"{crl} byte {i}");
        }
    }

    [TestVectorFact]
    public void Flipping_one_bit_in_any_byte_of_the_tcb_signing_certificate_fails()
    {
        var fields = Fields();
        var signing = X509Certificate2.CreateFromPem(fields["tcb_info_issuer_chain"]).RawData;
        var verifier = Warm();

        for (int i = 0; i < signing.Length; i++)
        {
            var copy = (byte[])signing.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            AssertRejected(verifier, Build(fields, null, null, copy), $"TCB signing certificate byte {i}");
        }
    }

    [TestVectorFact]
    public void Verification_is_safe_to_run_in_parallel_on_one_verifier()
    {
        var verifier = AttestationVerifier.CreateDefault();
        var sgx = new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote);
        var tdx = new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Tdx1Quote);
        var sgxCollateral = Samples.Sgx1Collateral;
        var tdxCollateral = Samples.Tdx1Collateral;
        int failures = 0;

        Parallel.For(0, 200, i =>
        {
            var result = i % 2 == 0 ? verifier.Verify(sgx, sgxCollateral, Samples.Sgx1Time) : verifier.Verify(tdx, tdxCollateral, Samples.Tdx1Time);
            if (!result.Succeeded)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Oversized_collateral_is_refused_before_parsing()
    {
        var ex = Assert.Throws<AttestationException>(() => IntelCollateral.Load(new byte[IntelCollateral.MaxSize + 1]));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
    }

    private static AttestationVerifier Warm()
    {
        var verifier = AttestationVerifier.CreateDefault();
        Assert.True(verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote), Samples.Sgx1Collateral, Samples.Sgx1Time).Succeeded);
        return verifier;
    }

    private static void AssertRejected(AttestationVerifier verifier, Func<IntelCollateral> build, string what)
    {
        IntelCollateral collateral;
        try
        {
            collateral = build();
        }
        catch (AttestationException ex)
        {
            Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
            return;
        }

        var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote), collateral, Samples.Sgx1Time);
        Assert.False(result.Succeeded, $"flipping a bit of {what} still verified");
    }

    private static Dictionary<string, string> Fields() =>
        JsonDocument.Parse(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")).RootElement
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static Func<IntelCollateral> Build(Dictionary<string, string> f, byte[]? rootCrl, byte[]? pckCrl, byte[]? signingCertificate) => () =>
    {
        var tcbChain = f["tcb_info_issuer_chain"];
        if (signingCertificate is not null)
        {
            var root = tcbChain[tcbChain.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal)..]["-----END CERTIFICATE-----".Length..];
            tcbChain = new string(PemEncoding.Write("CERTIFICATE", signingCertificate)) + "\n" + root.TrimStart();
        }

        return IntelCollateral.FromPcsResponses(
            Encoding.UTF8.GetBytes($"{{\"tcbInfo\":{f["tcb_info"]},\"signature\":\"{f["tcb_info_signature"]}\"}}"),
            Encoding.ASCII.GetBytes(tcbChain),
            Encoding.UTF8.GetBytes($"{{\"enclaveIdentity\":{f["qe_identity"]},\"signature\":\"{f["qe_identity_signature"]}\"}}"),
            Encoding.ASCII.GetBytes(tcbChain),
            pckCrl ?? Convert.FromHexString(f["pck_crl"]),
            [],
            rootCrl ?? Convert.FromHexString(f["root_ca_crl"]));
    };
}
