using SecGear.Attestation.AwsNitro;

namespace SecGear.Attestation.Tests.AwsNitro;

public sealed class NitroNegativeTests
{
    private readonly NitroVerifier _verifier = new();

    [TestVectorFact]
    public void Nitro1_document_with_a_corrupted_signature_fails_the_cose_signature_check()
    {
        var result = _verifier.Verify(TestVectors.Read("aws-nitro/veracruz/aws_nitro_document_bad_sig.cbor"), null, NitroSampleTests.VeracruzTime);

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Nitro2_self_signed_document_is_rejected_for_having_no_chain_to_the_aws_root()
    {
        var result = _verifier.Verify(TestVectors.ReadBase64("aws-nitro/blocky-nitrite/selfsigned_attestation.b64"), null, TestVectors.At("2024-04-17T18:51:46Z"));

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
        Assert.Contains("self-signed attester", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Document_is_rejected_when_the_aws_root_is_not_pinned()
    {
        var other = new NitroVerifier(new NitroVerifierOptions { TrustAnchors = TrustAnchors.IntelProduction });

        var result = other.Verify(NitroSampleTests.Veracruz(), null, NitroSampleTests.VeracruzTime);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Veracruz_bundle_starts_with_exactly_the_pinned_aws_root()
    {
        Assert.True(NitroDocument.TryParse(NitroSampleTests.Veracruz(), out var document, out _));
        Assert.Equal(4, document.CaBundle.Count);
        Assert.Equal(
            NitroVerifierOptions.AwsNitroRootG1Fingerprint,
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(document.CaBundle[0])));
        Assert.Equal(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(NitroRoot.AwsRootDer())),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(document.CaBundle[0])));
    }

    [TestVectorFact]
    public void Warm_chain_cache_still_checks_validity_and_the_document_signature()
    {
        Assert.True(_verifier.Verify(NitroSampleTests.Veracruz(), null, NitroSampleTests.VeracruzTime).Succeeded);

        var expired = _verifier.Verify(NitroSampleTests.Veracruz(), null, TestVectors.At("2022-11-10T02:00:00Z"));
        var badSignature = _verifier.Verify(TestVectors.Read("aws-nitro/veracruz/aws_nitro_document_bad_sig.cbor"), null, NitroSampleTests.VeracruzTime);
        var again = _verifier.Verify(NitroSampleTests.Veracruz(), null, NitroSampleTests.VeracruzTime);

        Assert.Equal(AttestationFailureCode.CertificateExpired, expired.Failure?.Code);
        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, badSignature.Failure?.Code);
        Assert.True(again.Succeeded);
        Assert.Equal("i-04fd167167daacf3b-enc01845e97d0b3eb4e", again.Claims!.Fields["module_id"]);
    }

    [Fact]
    public void Document_over_the_size_limit_is_rejected_before_parsing()
    {
        var small = new NitroVerifier(new NitroVerifierOptions { MaxDocumentSize = 16 });

        Assert.Equal(AttestationFailureCode.EvidenceTooLarge, small.Verify(new byte[17], null, DateTimeOffset.UnixEpoch).Failure?.Code);
    }
}
