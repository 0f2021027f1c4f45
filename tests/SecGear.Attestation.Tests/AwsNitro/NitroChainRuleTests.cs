using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AwsNitro;
using static SecGear.Attestation.Tests.AwsNitro.SyntheticNitroDocument;

namespace SecGear.Attestation.Tests.AwsNitro;

public sealed class NitroChainRuleTests
{
    private static NitroVerifier Trusting(X509Certificate2 root) =>
        new(new NitroVerifierOptions { TrustAnchors = TrustAnchors.FromFingerprints([]).Add(root.RawData) });

    [Fact]
    public void Well_formed_document_under_a_pinned_test_root_verifies()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var root = Ca("CN=test root", rootKey);
        using var ca = Ca("CN=test ca", caKey, root, rootKey);
        using var leaf = Leaf(leafKey, ca, caKey);

        var claims = Trusting(root).Verify(Sign(leafKey, leaf, [root.RawData, ca.RawData]), null, Now).ThrowIfFailed();

        Assert.Equal("aabb", Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.False(claims.Debug);
        Assert.False(claims.Fields.ContainsKey("nonce"));
    }

    [Fact]
    public void Bundle_with_its_own_valid_root_is_not_trusted_by_the_default_verifier()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var root = Ca("CN=aws.nitro-enclaves, OU=AWS, O=Amazon, C=US", rootKey);
        using var leaf = Leaf(leafKey, root, rootKey);

        var result = new NitroVerifier().Verify(Sign(leafKey, leaf, [root.RawData]), null, Now);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Pinned_aws_root_followed_by_an_impostor_intermediate_fails_its_link_signature()
    {
        var awsRoot = NitroRoot.AwsRootDer();
        using var realRoot = X509CertificateLoader.LoadCertificate(awsRoot);
        using var fakeRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var fakeRoot = Ca(realRoot.SubjectName, fakeRootKey);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var ca = Ca("CN=impostor ca", caKey, fakeRoot, fakeRootKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leaf = Leaf(leafKey, ca, caKey);

        var result = new NitroVerifier().Verify(Sign(leafKey, leaf, [awsRoot, ca.RawData]), null, Now);

        Assert.Equal(AttestationFailureCode.CertificateSignatureInvalid, result.Failure?.Code);
        Assert.Contains("cabundle[1]", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Intermediate_that_is_not_a_ca_cannot_issue_the_leaf()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var root = Ca("CN=test root", rootKey);
        using var notCa = Ca("CN=end entity", caKey, root, rootKey, isCa: false);
        using var leaf = Leaf(leafKey, notCa, caKey);

        var result = Trusting(root).Verify(Sign(leafKey, leaf, [root.RawData, notCa.RawData]), null, Now);

        Assert.Equal(AttestationFailureCode.IssuerNotCertificateAuthority, result.Failure?.Code);
    }

    [Fact]
    public void Bundle_out_of_order_is_an_issuer_mismatch()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var root = Ca("CN=test root", rootKey);
        using var ca = Ca("CN=test ca", caKey, root, rootKey);
        using var other = Ca("CN=other ca", caKey, root, rootKey);
        using var leaf = Leaf(leafKey, ca, caKey);

        var result = Trusting(root).Verify(Sign(leafKey, leaf, [root.RawData, other.RawData]), null, Now);

        Assert.Equal(AttestationFailureCode.CertificateIssuerMismatch, result.Failure?.Code);
    }

    [Fact]
    public void Document_signed_with_another_key_than_the_certificates_fails_the_signature()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var root = Ca("CN=test root", rootKey);
        using var leaf = Leaf(leafKey, root, rootKey);

        var result = Trusting(root).Verify(Sign(otherKey, leaf, [root.RawData]), null, Now);

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, result.Failure?.Code);
    }
}
