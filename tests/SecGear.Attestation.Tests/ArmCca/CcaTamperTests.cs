
namespace SecGear.Attestation.Tests.ArmCca;

public sealed class CcaTamperTests
{
    [TestVectorFact]
    public void Any_single_bit_flipped_in_the_token_fails()
    {
        var verifier = CcaSampleTests.With("ta-tfa.json");
        var token = TestVectors.Read(CcaSampleTests.Dir + "cca-token-01.cbor");
        var accepted = new List<int>();
        for (int i = 0; i < token.Length; i++)
        {
            var tampered = (byte[])token.Clone();
            tampered[i] ^= (byte)(1 << (i % 8));
            if (verifier.Verify(tampered, null, DateTimeOffset.UnixEpoch).Succeeded)
            {
                accepted.Add(i);
            }
        }

        Assert.Empty(accepted);
    }

    [TestVectorFact]
    public void Truncated_tokens_give_typed_parse_failures()
    {
        var verifier = CcaSampleTests.With("ta-tfa.json");
        var token = TestVectors.Read(CcaSampleTests.Dir + "cca-token-01.cbor");
        for (int length = 0; length < token.Length; length += 13)
        {
            var failure = verifier.Verify(token.AsMemory(0, length), null, DateTimeOffset.UnixEpoch).Failure;

            Assert.Equal(length == 0 ? AttestationFailureCode.EvidenceEmpty : AttestationFailureCode.EvidenceMalformed, failure?.Code);
        }
    }

    [Fact]
    public void Random_inputs_never_throw_and_fail_with_a_parse_code()
    {
        var verifier = new global::SecGear.Attestation.ArmCca.CcaVerifier();
        var random = new Random(399);
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(1, 3000)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                new byte[] { 0xD9, 0x01, 0x8F, 0xA2, 0x19, 0xAC, 0xCA }.CopyTo(bytes, 0);
            }

            Assert.Equal(AttestationFailureCode.EvidenceMalformed, verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch).Failure?.Code);
        }
    }
}
