using SecGear.Attestation.HuaweiVirtCca;

namespace SecGear.Attestation.Tests.HuaweiVirtCca;

/// <summary>
/// Deterministic bit-flip, truncation and structural fuzzing of the recorded token (over 10,000 inputs). The verifier
/// accepts unendorsed tokens here so that an accepted mutation would be visible; none may be accepted, none may throw.
/// </summary>
public sealed class VirtCcaFuzzTests
{
    private static readonly VirtCcaVerifier Lenient = new(new VirtCcaVerifierOptions { AcceptUnendorsedRealmTokens = true });

    [TestVectorFact]
    public void Every_single_bit_flip_of_the_token_fails_with_a_typed_failure()
    {
        var token = VirtCcaVectors.Token();
        var collateral = VirtCcaVectors.Collateral();
        var accepted = new List<int>();
        for (int bit = 0; bit < token.Length * 8; bit++)
        {
            var tampered = (byte[])token.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = Lenient.Verify(tampered, collateral, VirtCcaVectors.Time);
            if (result.Succeeded)
            {
                accepted.Add(bit);
            }
            else
            {
                Assert.True(Enum.IsDefined(result.Failure!.Code));
            }
        }

        Assert.True(token.Length * 8 >= 10_000);
        Assert.Empty(accepted);
    }

    [TestVectorFact]
    public void Every_truncation_of_the_token_fails_as_empty_or_malformed()
    {
        var token = VirtCcaVectors.Token();
        var collateral = VirtCcaVectors.Collateral();
        for (int length = 0; length < token.Length; length++)
        {
            var code = Lenient.Verify(token.AsMemory(0, length), collateral, VirtCcaVectors.Time).Failure?.Code;

            Assert.Equal(length == 0 ? AttestationFailureCode.EvidenceEmpty : AttestationFailureCode.EvidenceMalformed, code);
        }
    }

    [TestVectorFact]
    public void Structural_mutations_never_throw_and_are_never_accepted()
    {
        var token = VirtCcaVectors.Token();
        var collateral = VirtCcaVectors.Collateral();
        var random = new Random(44241);
        for (int i = 0; i < 3000; i++)
        {
            var mutated = Mutations.Structural(token, random);
            var result = Lenient.Verify(mutated, collateral, VirtCcaVectors.Time);

            Assert.False(result.Succeeded && !mutated.AsSpan().SequenceEqual(token), $"mutation {i} was accepted");
            Assert.True(result.Succeeded || Enum.IsDefined(result.Failure!.Code));
            Evidence.Detect(mutated);
        }
    }
}
