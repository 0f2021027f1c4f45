using System.Security.Cryptography;
using SecGear.Attestation.HuaweiVirtCca;

namespace SecGear.Attestation.Tests.HuaweiVirtCca;

public sealed class VirtCcaSampleTests
{
    [TestVectorFact]
    public void Recorded_token_without_platform_token_is_refused_as_unendorsed_with_its_realm_claims()
    {
        var result = new VirtCcaVerifier().Verify(VirtCcaVectors.Token(), VirtCcaVectors.Collateral(), VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.RealmTokenNotEndorsed, result.Failure?.Code);
        var claims = result.Claims!;
        Assert.Equal("false", claims.Fields["hardware_endorsed"]);
        Assert.Equal("7309ec52e2870938ffa6930793d61e55ab982a756111410829d6073f66c71708", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal(TeeKind.VirtCca, claims.Tee);
        Assert.StartsWith("783c7f3e50bfffff", Convert.ToHexStringLower(claims.ReportData.Span), StringComparison.Ordinal);
        Assert.Equal(new string('0', 64), claims.Fields["rem3"]);
        Assert.Contains("CN=1023A7989138T", claims.Fields["aik_subject"], StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Recorded_token_is_accepted_only_when_the_options_allow_unendorsed_realm_tokens_and_says_so()
    {
        var verifier = new VirtCcaVerifier(new VirtCcaVerifierOptions { AcceptUnendorsedRealmTokens = true });

        var claims = verifier.Verify(VirtCcaVectors.Token(), VirtCcaVectors.Collateral(), VirtCcaVectors.Time).ThrowIfFailed();

        Assert.Equal("false", claims.Fields["hardware_endorsed"]);
        Assert.Equal("sha-256", claims.Fields["rak_hash_algorithm"]);
    }

    [TestVectorFact]
    public void Recorded_token_is_detected_from_its_hex_text_and_refused_by_the_default_verifier()
    {
        var evidence = Evidence.Detect(TestVectors.Read(VirtCcaVectors.Dir + "virtcca.cbor"));
        var collateral = CollateralLoader.Load(evidence.Format, [TestVectors.Read(VirtCcaVectors.Dir + "virtcca_aik_cert.der"), TestVectors.Read("roots/huawei/Huawei_IT_Product_CA.pem"), TestVectors.Read("roots/huawei/Huawei_Equipment_Root_CA.pem")]);

        var result = AttestationVerifier.CreateDefault().Verify(evidence, collateral, VirtCcaVectors.Time);

        Assert.Equal(EvidenceFormats.HuaweiVirtCcaToken, evidence.Format);
        Assert.Equal(AttestationFailureCode.RealmTokenNotEndorsed, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Realm_signature_byte_flipped_fails_the_realm_signature_check()
    {
        var token = VirtCcaVectors.Token();
        token[^10] ^= 0x01;

        var result = new VirtCcaVerifier().Verify(token, VirtCcaVectors.Collateral(), VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.RealmSignatureInvalid, result.Failure?.Code);
        Assert.Null(result.Claims);
    }

    [TestVectorFact]
    public void Token_without_collateral_fails_as_collateral_missing()
    {
        Assert.Equal(AttestationFailureCode.CollateralMissing, new VirtCcaVerifier().Verify(VirtCcaVectors.Token(), null, VirtCcaVectors.Time).Failure?.Code);
    }

    [TestVectorFact]
    public void Aik_chain_without_the_intermediate_fails_the_issuer_check()
    {
        var collateral = VirtCcaCollateral.Load([TestVectors.Read(VirtCcaVectors.Dir + "virtcca_aik_cert.der"), TestVectors.Read("roots/huawei/Huawei_Equipment_Root_CA.pem")]);

        var result = new VirtCcaVerifier().Verify(VirtCcaVectors.Token(), collateral, VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.CertificateIssuerMismatch, result.Failure?.Code);
        Assert.Contains("Huawei IT Product CA", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Aik_chain_to_a_root_that_is_not_pinned_fails_as_untrusted()
    {
        var options = new VirtCcaVerifierOptions { Roots = TrustAnchors.FromFingerprints([new string('A', 64)]) };

        var result = new VirtCcaVerifier(options).Verify(VirtCcaVectors.Token(), VirtCcaVectors.Collateral(), VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
        Assert.Contains(VirtCcaVerifierOptions.HuaweiEquipmentRootFingerprint, result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Aik_outside_its_validity_fails_as_expired()
    {
        var result = new VirtCcaVerifier().Verify(VirtCcaVectors.Token(), VirtCcaVectors.Collateral(), TestVectors.At("2024-01-01T00:00:00Z"));

        Assert.Equal(AttestationFailureCode.CertificateExpired, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Token_with_a_platform_token_signed_by_the_aik_over_the_rak_hash_is_affirmed_as_hardware_endorsed()
    {
        using var device = new VirtCcaVectors.TestDevice();
        var token = VirtCcaVectors.WithPlatform(VirtCcaVectors.RealmToken(), device.Aik, SHA256.HashData(VirtCcaVectors.Rak()));

        var claims = new VirtCcaVerifier(device.Options).Verify(token, device.Collateral(), VirtCcaVectors.Time).ThrowIfFailed();

        Assert.Equal("true", claims.Fields["hardware_endorsed"]);
        Assert.Equal("0x3000", claims.Fields["lifecycle"]);
        Assert.False(claims.Debug);
        Assert.Equal(EvidenceFormats.HuaweiVirtCcaToken, Evidence.Detect(token).Format);
    }

    [TestVectorFact]
    public void Platform_challenge_that_is_not_the_rak_hash_fails_the_binding()
    {
        using var device = new VirtCcaVectors.TestDevice();
        var wrong = SHA256.HashData(VirtCcaVectors.Rak());
        wrong[0] ^= 1;
        var token = VirtCcaVectors.WithPlatform(VirtCcaVectors.RealmToken(), device.Aik, wrong);

        var result = new VirtCcaVerifier(device.Options).Verify(token, device.Collateral(), VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.PlatformRealmBindingMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Platform_token_signed_by_another_key_than_the_aik_fails_the_signature_check()
    {
        using var device = new VirtCcaVectors.TestDevice();
        using var other = RSA.Create(2048);
        var token = VirtCcaVectors.WithPlatform(VirtCcaVectors.RealmToken(), other, SHA256.HashData(VirtCcaVectors.Rak()));

        var result = new VirtCcaVerifier(device.Options).Verify(token, device.Collateral(), VirtCcaVectors.Time);

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Recorded_aik_does_not_chain_to_a_test_root_and_a_test_aik_does_not_chain_to_huawei()
    {
        using var device = new VirtCcaVectors.TestDevice();
        var token = VirtCcaVectors.WithPlatform(VirtCcaVectors.RealmToken(), device.Aik, SHA256.HashData(VirtCcaVectors.Rak()));

        Assert.Equal(AttestationFailureCode.RootNotTrusted, new VirtCcaVerifier().Verify(token, device.Collateral(), VirtCcaVectors.Time).Failure?.Code);
        Assert.Equal(AttestationFailureCode.RootNotTrusted, new VirtCcaVerifier(device.Options).Verify(token, VirtCcaVectors.Collateral(), VirtCcaVectors.Time).Failure?.Code);
    }
}
