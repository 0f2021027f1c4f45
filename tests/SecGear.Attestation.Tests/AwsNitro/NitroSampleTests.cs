using SecGear.Attestation.AwsNitro;

namespace SecGear.Attestation.Tests.AwsNitro;

public sealed class NitroSampleTests
{
    internal static readonly DateTimeOffset VeracruzTime = TestVectors.At("2022-11-09T22:52:00Z");
    internal static readonly DateTimeOffset BlockyTime = TestVectors.At("2024-09-07T15:00:00Z");
    internal static readonly DateTimeOffset EvervaultTime = TestVectors.At("2023-09-18T15:03:30Z");

    private readonly NitroVerifier _verifier = new();

    internal static byte[] Veracruz() => TestVectors.Read("aws-nitro/veracruz/aws_nitro_document.cbor");

    [TestVectorFact]
    public void Nitro1_veracruz_document_verifies_with_its_fields()
    {
        var claims = _verifier.Verify(Veracruz(), null, VeracruzTime).ThrowIfFailed();

        Assert.Equal(EvidenceFormats.AwsNitroDocument, claims.Format);
        Assert.Equal(TeeKind.Nitro, claims.Tee);
        Assert.Equal("i-04fd167167daacf3b-enc01845e97d0b3eb4e", claims.Fields["module_id"]);
        Assert.Equal("SHA384", claims.Fields["digest"]);
        Assert.Equal("1668034320696", claims.Fields["timestamp_ms"]);
        Assert.Equal("2022-11-09T22:52:00.696Z", claims.Fields["timestamp"]);
        Assert.Equal("22f9e1c949208da55eb01b9b9fc88f87454f77ba133f0d82320b509621c92482152a99d0a12335b97178c02d6f977d01", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal(claims.Fields["pcr0"], Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.StartsWith("bcdf05fe", claims.Fields["pcr1"], StringComparison.Ordinal);
        Assert.StartsWith("00943ea8", claims.Fields["pcr2"], StringComparison.Ordinal);
        Assert.Equal(new string('0', 96), claims.Fields["pcr3"]);
        Assert.StartsWith("45540423", claims.Fields["pcr4"], StringComparison.Ordinal);
        Assert.Equal(new string('0', 96), claims.Fields["pcr8"]);
        Assert.True(claims.SignerId.IsEmpty);
        Assert.Equal(16, claims.Fields.Keys.Count(k => k.StartsWith("pcr", StringComparison.Ordinal)));
        Assert.Equal("7c37108079b3e8a36d8a7970de1d6d4ff1461e0e35d9557c4d789df5e0576620", Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal("c678c86135de539d183acff58886d98dfb9823041af9f934bf909ac0f8d96245", claims.Fields["nonce"]);
        Assert.False(claims.Fields.ContainsKey("public_key"));
        Assert.False(claims.Debug);
        Assert.Equal(TcbStatus.NotApplicable, claims.TcbStatus);
    }

    [TestVectorFact]
    public void Nitro1_leaf_is_expired_three_hours_after_the_document()
    {
        var result = _verifier.Verify(Veracruz(), null, TestVectors.At("2022-11-10T02:00:00Z"));

        Assert.Equal(AttestationFailureCode.CertificateExpired, result.Failure?.Code);
        Assert.Contains("document's certificate", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Nitro1_verifies_at_its_own_timestamp_when_configured_even_years_later()
    {
        var atDocumentTime = new NitroVerifier(new NitroVerifierOptions { CheckValidityAtDocumentTime = true });

        Assert.True(atDocumentTime.Verify(Veracruz(), null, TestVectors.At("2026-01-01T00:00:00Z")).Succeeded);
    }

    [TestVectorFact]
    public void Nitro1_tagged_cose_sign1_also_verifies()
    {
        byte[] tagged = [0xD2, .. Veracruz()];

        Assert.True(_verifier.Verify(tagged, null, VeracruzTime).Succeeded);
    }

    [TestVectorFact]
    public void Nitro2_maximal_document_with_1024_byte_fields_verifies()
    {
        var claims = _verifier.Verify(TestVectors.ReadBase64("aws-nitro/blocky-nitrite/nitro_attestation.b64"), null, BlockyTime).ThrowIfFailed();

        Assert.Equal("i-0a22e5c5f24d22174-enc0191cceb4289903f", claims.Fields["module_id"]);
        Assert.Equal("e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a", claims.Fields["pcr0"]);
        Assert.Equal("2024-09-07T14:37:39.545Z", claims.Fields["timestamp"]);
        var ones = Convert.ToHexStringLower(Enumerable.Repeat((byte)1, 1024).ToArray());
        Assert.Equal(ones, claims.Fields["nonce"]);
        Assert.Equal(ones, claims.Fields["user_data"]);
        Assert.Equal(ones, claims.Fields["public_key"]);
        Assert.Equal(1024, claims.ReportData.Length);
        Assert.False(claims.Debug);
    }

    [TestVectorFact]
    public void Nitro2_debug_document_verifies_and_is_rejected_by_a_production_policy()
    {
        var evidence = new Evidence(EvidenceFormats.AwsNitroDocument, TestVectors.ReadBase64("aws-nitro/blocky-nitrite/nitro_attestation_debug.b64"));
        var attestation = new AttestationVerifier();
        attestation.Register(_verifier);

        var plain = attestation.Verify(evidence, null, BlockyTime);
        var production = attestation.Verify(evidence, null, BlockyTime, new AttestationPolicy());

        Assert.True(plain.Succeeded, plain.Failure?.ToString());
        Assert.True(plain.Claims!.Debug);
        Assert.Equal(new string('0', 96), plain.Claims.Fields["pcr0"]);
        Assert.Equal("2024-09-07T14:38:06.508Z", plain.Claims.Fields["timestamp"]);
        Assert.Equal(AttestationFailureCode.PolicyDebugNotAllowed, production.Failure?.Code);
    }

    [TestVectorFact]
    public void Nitro3_evervault_debug_document_with_an_spki_in_user_data_verifies()
    {
        var claims = _verifier.Verify(TestVectors.ReadBase64("aws-nitro/evervault/valid-attestation-doc-base64"), null, EvervaultTime).ThrowIfFailed();

        Assert.True(claims.Debug);
        foreach (var pcr in new[] { "pcr0", "pcr1", "pcr2", "pcr8" })
        {
            Assert.Equal(new string('0', 96), claims.Fields[pcr]);
        }

        Assert.StartsWith("4a9329d6", claims.Fields["pcr3"], StringComparison.Ordinal);
        Assert.StartsWith("d0531b14", claims.Fields["pcr4"], StringComparison.Ordinal);
        Assert.Equal(512, claims.Fields["nonce"].Length);
        Assert.Equal(91, claims.ReportData.Length);
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(claims.ReportData.Span, out int read);
        Assert.Equal(91, read);
        Assert.False(claims.Fields.ContainsKey("public_key"));
    }
}
