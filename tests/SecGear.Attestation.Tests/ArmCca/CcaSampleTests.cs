using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.Tests.ArmCca;

public sealed class CcaSampleTests
{
    internal const string Dir = "arm-cca/veraison-rust-ccatoken/";

    internal static CcaVerifier With(string trustAnchors) =>
        new(new CcaVerifierOptions { PlatformKeys = CcaPlatformKeyStore.FromJson(System.Text.Encoding.UTF8.GetString(TestVectors.Read(Dir + trustAnchors))) });

    [TestVectorFact]
    public void Cca1_token_01_verifies_with_the_tfa_trust_anchor_and_surfaces_realm_and_platform_claims()
    {
        var claims = With("ta-tfa.json").Verify(TestVectors.Read(Dir + "cca-token-01.cbor"), null, DateTimeOffset.UnixEpoch).ThrowIfFailed();

        Assert.Equal(EvidenceFormats.ArmCcaToken, claims.Format);
        Assert.Equal(TeeKind.Cca, claims.Tee);
        Assert.Equal("b5973cb68baa9fc55558786b7ec67f69e40df5ba5aa921cd0c27f40587a011ea", claims.Fields["platform_challenge"]);
        Assert.Equal("http://arm.com/CCA-SSD/1.0.0", claims.Fields["platform_profile"]);
        Assert.Equal("0x3003", claims.Fields["lifecycle"]);
        Assert.False(claims.Debug);
        Assert.StartsWith("7f454c46", claims.Fields["implementation_id"], StringComparison.Ordinal);
        Assert.StartsWith("0107060504", claims.Fields["instance_id"], StringComparison.Ordinal);
        Assert.Equal("4", claims.Fields["sw_component_count"]);
        Assert.Equal(["BL", "M1", "M2", "M3"], Enumerable.Range(0, 4).Select(i => claims.Fields[$"sw_component{i}_type"]));
        Assert.Equal("3.4.2", claims.Fields["sw_component0_version"]);
        Assert.Equal(Convert.ToHexStringLower(Enumerable.Repeat((byte)0xab, 64).ToArray()), Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal(new string('0', 64), Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal(
            Convert.ToHexStringLower("The quick brown fox jumps over 13 lazy dogs.The quick brown fox "u8),
            claims.Fields["realm_personalization_value"]);
        Assert.Equal(new string('0', 64), claims.Fields["rem3"]);
        Assert.Equal(194, claims.Fields["rak"].Length);
        Assert.Equal("sha-256", claims.Fields["rak_hash_algorithm"]);
    }

    [TestVectorFact]
    public void Cca1_token_01_verifies_with_the_bare_cpak_jwk()
    {
        Assert.True(With("cpak.json").Verify(TestVectors.Read(Dir + "cca-token-01.cbor"), null, DateTimeOffset.UnixEpoch).Succeeded);
    }

    [TestVectorFact]
    public void Cca1_legacy_token_02_with_es256_platform_and_sha512_binding_verifies_with_ta_02_ok()
    {
        var claims = With("ta-02-ok.json").Verify(TestVectors.Read(Dir + "cca-token-02.cbor"), null, DateTimeOffset.UnixEpoch).ThrowIfFailed();

        Assert.Equal("sha-512", claims.Fields["rak_hash_algorithm"]);
        Assert.Equal(128, claims.Fields["platform_challenge"].Length);
        Assert.Equal("0x3000", claims.Fields["lifecycle"]);
    }

    [TestVectorFact]
    public void Token_is_not_trusted_when_no_cpak_matches_its_instance_id()
    {
        var result = With("ta-02-ok.json").Verify(TestVectors.Read(Dir + "cca-token-01.cbor"), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.PlatformKeyNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Default_verifier_trusts_no_cpak()
    {
        Assert.Equal(AttestationFailureCode.PlatformKeyNotTrusted, new CcaVerifier().Verify(TestVectors.Read(Dir + "cca-token-01.cbor"), null, DateTimeOffset.UnixEpoch).Failure?.Code);
    }

    [TestVectorFact]
    public void Cca1_ta_02_bad_cpak_that_is_not_a_curve_point_fails_the_platform_key()
    {
        var result = With("ta-02-bad.json").Verify(TestVectors.Read(Dir + "cca-token-02.cbor"), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.AttestationKeyMalformed, result.Failure?.Code);
        Assert.Contains("CPAK", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Cached_keys_do_not_let_a_later_mismatched_token_through()
    {
        var verifier = With("ta-tfa.json");
        var good = TestVectors.Read(Dir + "cca-token-01.cbor");

        Assert.True(verifier.Verify(good, null, DateTimeOffset.UnixEpoch).Succeeded);
        Assert.Equal(AttestationFailureCode.PlatformRealmBindingMismatch, verifier.Verify(TestVectors.Read(Dir + "bug-33-repro.cbor"), null, DateTimeOffset.UnixEpoch).Failure?.Code);
        var tampered = (byte[])good.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(AttestationFailureCode.RealmSignatureInvalid, verifier.Verify(tampered, null, DateTimeOffset.UnixEpoch).Failure?.Code);
        Assert.True(verifier.Verify(good, null, DateTimeOffset.UnixEpoch).Succeeded);
    }

    [TestVectorFact]
    public void Cca1_bug_33_mismatched_halves_fail_the_realm_platform_binding()
    {
        var result = With("ta-tfa.json").Verify(TestVectors.Read(Dir + "bug-33-repro.cbor"), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.PlatformRealmBindingMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Swapping_the_realm_token_of_token_02_into_token_01_fails_the_binding_or_signature()
    {
        Assert.True(CcaToken.TryParse(TestVectors.Read(Dir + "cca-token-01.cbor"), out var one, out _));
        Assert.True(CcaToken.TryParse(TestVectors.Read(Dir + "cca-token-02.cbor"), out var two, out _));
        var writer = new System.Formats.Cbor.CborWriter();
        writer.WriteTag((System.Formats.Cbor.CborTag)399);
        writer.WriteStartMap(2);
        writer.WriteInt32(CcaToken.PlatformKey);
        writer.WriteByteString(one.PlatformMessage.Encode());
        writer.WriteInt32(CcaToken.RealmKey);
        writer.WriteByteString(two.RealmMessage.Encode());
        writer.WriteEndMap();

        var result = With("ta-tfa.json").Verify(writer.Encode(), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.PlatformRealmBindingMismatch, result.Failure?.Code);
    }
}
