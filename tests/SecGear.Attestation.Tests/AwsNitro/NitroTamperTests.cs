using SecGear.Attestation.AwsNitro;

namespace SecGear.Attestation.Tests.AwsNitro;

public sealed class NitroTamperTests
{
    private readonly NitroVerifier _verifier = new();

    [TestVectorFact]
    public void A_single_bit_flipped_in_any_sampled_byte_of_the_document_fails()
    {
        var document = NitroSampleTests.Veracruz();
        var accepted = new List<int>();
        for (int i = 0; i < document.Length; i += i < 16 || i >= document.Length - 100 ? 1 : 3)
        {
            var tampered = (byte[])document.Clone();
            tampered[i] ^= (byte)(1 << (i % 8));
            if (_verifier.Verify(tampered, null, NitroSampleTests.VeracruzTime).Succeeded)
            {
                accepted.Add(i);
            }
        }

        Assert.Empty(accepted);
    }

    [TestVectorFact]
    public void Truncated_documents_give_typed_parse_failures()
    {
        var document = NitroSampleTests.Veracruz();
        for (int length = 0; length < document.Length; length += 97)
        {
            var failure = _verifier.Verify(document.AsMemory(0, length), null, NitroSampleTests.VeracruzTime).Failure;

            Assert.Equal(length == 0 ? AttestationFailureCode.EvidenceEmpty : AttestationFailureCode.EvidenceMalformed, failure?.Code);
        }
    }

    [TestVectorFact]
    public void Trailing_bytes_after_the_cose_message_are_rejected()
    {
        byte[] longer = [.. NitroSampleTests.Veracruz(), 0];

        Assert.Equal(AttestationFailureCode.EvidenceMalformed, _verifier.Verify(longer, null, NitroSampleTests.VeracruzTime).Failure?.Code);
    }

    [Fact]
    public void Random_inputs_never_throw_and_fail_with_a_parse_code()
    {
        var random = new Random(4461);
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(1, 5000)];
            random.NextBytes(bytes);
            if (i % 3 == 0)
            {
                new byte[] { 0x84, 0x44, 0xA1, 0x01, 0x38, 0x22 }.CopyTo(bytes, 0);
            }

            var failure = _verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch).Failure;

            Assert.True(failure?.Code is AttestationFailureCode.EvidenceMalformed or AttestationFailureCode.EvidenceTooLarge, failure?.ToString());
        }
    }
}
