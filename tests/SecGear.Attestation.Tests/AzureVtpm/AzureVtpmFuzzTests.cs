using SecGear.Attestation.AzureVtpm;

namespace SecGear.Attestation.Tests.AzureVtpm;

/// <summary>
/// Deterministic fuzzing of AZ-SNP-1 version 1 (over 10,000 inputs): bit flips in the HCL report, the TPM quote and
/// the JSON envelope, truncations and structural mutations. Nothing may throw; every failure is typed; a flip in a
/// byte the evidence authenticates (the signed SNP report body, runtime data, quote message and signature) must fail.
/// </summary>
public sealed class AzureVtpmFuzzTests
{
    private static readonly AzureVtpmVerifier Verifier = new();

    [TestVectorFact]
    public void Bit_flips_in_authenticated_hcl_bytes_fail_and_elsewhere_fail_typed_or_change_nothing_signed()
    {
        var (hcl, message, signature, pcrs, vcek) = AzureVectors.Pieces(AzureVectors.Envelope(1));
        var collateral = AzureVectors.Milan();
        var random = new Random(0x4C0);
        int variableEnd = 0x4D4 + BitConverter.ToInt32(hcl, 0x4D0);
        var accepted = new List<int>();
        for (int i = 0; i < 4000; i++)
        {
            // Half the flips land in the authenticated ranges, so that each is exercised often.
            int offset = i % 2 == 0 ? random.Next(hcl.Length) : (i % 4 == 1 ? random.Next(0x20, 0x2C0) : random.Next(0x4C0, variableEnd));
            var tampered = (byte[])hcl.Clone();
            tampered[offset] ^= (byte)(1 << random.Next(8));
            var result = Verifier.Verify(AzureVectors.Compose(tampered, message, signature, pcrs, vcek), collateral, AzureVectors.Time);
            if (result.Succeeded)
            {
                accepted.Add(offset);
            }
            else
            {
                Assert.True(Enum.IsDefined(result.Failure!.Code));
            }
        }

        Assert.All(accepted, offset => Assert.False(offset is >= 0x20 and < 0x2C0 || (offset >= 0x4C0 && offset < variableEnd) || offset < 0x10, $"flip at 0x{offset:X} was accepted"));
    }

    [TestVectorFact]
    public void Bit_flips_in_the_quote_message_and_signature_all_fail()
    {
        var (hcl, message, signature, pcrs, vcek) = AzureVectors.Pieces(AzureVectors.Envelope(1));
        var collateral = AzureVectors.Milan();
        int inputs = 0;
        foreach (var target in new[] { message, signature })
        {
            for (int bit = 0; bit < target.Length * 8; bit += 2)
            {
                var tampered = (byte[])target.Clone();
                tampered[bit / 8] ^= (byte)(1 << (bit % 8));
                var envelope = ReferenceEquals(target, message)
                    ? AzureVectors.Compose(hcl, tampered, signature, pcrs, vcek)
                    : AzureVectors.Compose(hcl, message, tampered, pcrs, vcek);
                var result = Verifier.Verify(envelope, collateral, AzureVectors.Time);

                Assert.False(result.Succeeded, $"flip of bit {bit} was accepted");
                Assert.True(Enum.IsDefined(result.Failure!.Code));
                inputs++;
            }
        }

        Assert.True(inputs > 1400);
    }

    [TestVectorFact]
    public void Envelope_bit_flips_truncations_and_structural_mutations_never_throw()
    {
        var envelope = AzureVectors.Envelope(1);
        var hcl = AzureVectors.Pieces(envelope).Hcl;
        var collateral = AzureVectors.Milan();
        var random = new Random(8018);
        for (int i = 0; i < 3000; i++)
        {
            var tampered = (byte[])envelope.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            Typed(Verifier.Verify(tampered, collateral, AzureVectors.Time));
            Evidence.Detect(tampered);
        }

        for (int length = 0; length < hcl.Length; length += 2)
        {
            var (_, message, signature, pcrs, vcek) = AzureVectors.Pieces(envelope);
            var result = Verifier.Verify(AzureVectors.Compose(hcl[..length], message, signature, pcrs, vcek), collateral, AzureVectors.Time);

            Assert.False(result.Succeeded && length < 0x4D4 + BitConverter.ToInt32(hcl, 0x4D0), $"truncation to {length} was accepted");
            Typed(result);
        }

        for (int i = 0; i < 2000; i++)
        {
            var mutated = Mutations.Structural(i % 2 == 0 ? envelope : hcl, random);
            var input = i % 2 == 0 ? mutated : AzureVectors.Compose(mutated, [0xFF, 0x54, 0x43, 0x47, 0x80, 0x18], new byte[256], [], null);
            Typed(Verifier.Verify(input, collateral, AzureVectors.Time));
        }
    }

    [TestVectorFact]
    public void Tdx_hcl_bit_flips_never_throw_and_are_never_affirmed()
    {
        var envelope = AzureVectors.TdxEnvelope();
        var (hcl, message, signature, pcrs, _) = AzureVectors.Pieces(envelope);
        var random = new Random(0x81);
        for (int i = 0; i < 1500; i++)
        {
            var tampered = (byte[])hcl.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            var result = Verifier.Verify(AzureVectors.Compose(tampered, message, signature, pcrs, null), null, AzureVectors.Time);

            Assert.False(result.Succeeded);
            Typed(result);
        }
    }

    private static void Typed(AttestationResult result) => Assert.True(result.Succeeded || Enum.IsDefined(result.Failure!.Code));
}
