using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>The PCK CRL issuer chain from the collateral is validated to the pinned root and must name the PCK's CA.</summary>
public sealed class PckCrlIssuerChainTests
{
    private static readonly Lazy<Dictionary<string, string>> FieldsLazy = new(() =>
        JsonDocument.Parse(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")).RootElement
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));

    private static Dictionary<string, string> Fields => FieldsLazy.Value;

    [TestVectorFact]
    public void The_real_PCK_CRL_issuer_chain_validates_and_so_does_collateral_without_one()
    {
        Assert.True(Verify(Collateral(Fields["pck_crl_issuer_chain"])).Succeeded);
        Assert.True(Verify(Collateral("")).Succeeded);
    }

    [TestVectorFact]
    public void A_valid_Intel_chain_for_another_PCK_CA_is_an_issuer_mismatch()
    {
        // TDX-2's chain is Intel's genuine Platform CA under the pinned root; SGX-1's PCK was issued by the Processor CA.
        var platformCaChain = Encoding.ASCII.GetString(TestVectors.Read("tdx-v4/go-tdx-guest/pckcrl_issuer_chain.pem"));

        var result = Verify(Collateral(platformCaChain));

        Assert.Equal(AttestationFailureCode.PckCrlIssuerMismatch, result.Failure?.Code);
        Assert.Contains("Platform CA", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void A_chain_whose_first_certificate_is_not_a_CA_is_invalid()
    {
        var result = Verify(Collateral(Fields["tcb_info_issuer_chain"]));

        Assert.Equal(AttestationFailureCode.PckCrlIssuerChainInvalid, result.Failure?.Code);
    }

    [TestVectorFact]
    public void A_chain_without_its_root_is_invalid()
    {
        var chain = Fields["pck_crl_issuer_chain"];
        var first = chain[..(chain.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length)];

        var result = Verify(Collateral(first));

        Assert.Equal(AttestationFailureCode.PckCrlIssuerChainInvalid, result.Failure?.Code);
        Assert.Contains("has 1 certificates", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void A_look_alike_CA_under_an_unpinned_root_is_invalid_and_under_a_pinned_foreign_root_too()
    {
        var processorCa = X509Certificate2.CreateFromPem(Fields["pck_crl_issuer_chain"]);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = SelfSignedCa(rootKey, "CN=Test Root");
        using var lookAlike = IssuedCa(caKey, processorCa.SubjectName, root, rootKey);
        var chain = Pem(lookAlike) + Pem(root);

        var unpinned = Verify(Collateral(chain));
        var foreign = Verify(Collateral(chain), TrustAnchors.IntelProduction.Add(root.RawData));

        Assert.Equal(AttestationFailureCode.PckCrlIssuerChainInvalid, unpinned.Failure?.Code);
        Assert.Contains("not a pinned trust anchor", unpinned.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(AttestationFailureCode.PckCrlIssuerChainInvalid, foreign.Failure?.Code);
        Assert.Contains("another root", foreign.Failure!.Message, StringComparison.Ordinal);
    }

    private static AttestationResult Verify(IntelCollateral collateral, TrustAnchors? anchors = null)
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new IntelDcapVerifier(new IntelDcapVerifierOptions { TrustAnchors = anchors ?? TrustAnchors.IntelProduction }));
        return verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote), collateral, Samples.Sgx1Time);
    }

    private static IntelCollateral Collateral(string pckCrlIssuerChain) => IntelCollateral.FromPcsResponses(
        Encoding.UTF8.GetBytes($"{{\"tcbInfo\":{Fields["tcb_info"]},\"signature\":\"{Fields["tcb_info_signature"]}\"}}"),
        Encoding.ASCII.GetBytes(Fields["tcb_info_issuer_chain"]),
        Encoding.UTF8.GetBytes($"{{\"enclaveIdentity\":{Fields["qe_identity"]},\"signature\":\"{Fields["qe_identity_signature"]}\"}}"),
        Encoding.ASCII.GetBytes(Fields["qe_identity_issuer_chain"]),
        Convert.FromHexString(Fields["pck_crl"]),
        Encoding.ASCII.GetBytes(pckCrlIssuerChain),
        Convert.FromHexString(Fields["root_ca_crl"]));

    private static X509Certificate2 SelfSignedCa(ECDsa key, string subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    private static X509Certificate2 IssuedCa(ECDsa key, X500DistinguishedName subject, X509Certificate2 issuer, ECDsa issuerKey)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero), [1, 2, 3, 4]);
    }

    private static string Pem(X509Certificate2 certificate) => new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";
}
