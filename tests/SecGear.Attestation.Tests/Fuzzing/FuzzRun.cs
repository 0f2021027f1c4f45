using System.Diagnostics;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// Runs a deterministic fuzz campaign: <c>count</c> distinct mutated inputs from one seed, each verified, each required
/// to give a typed failure whose text names no .NET internals. A thrown exception or an accepted mutant fails the test
/// with the seed, the iteration and the input (hex), so the case can be replayed.
/// </summary>
internal static class FuzzRun
{
    /// <summary>Inputs per format the issue asks for.</summary>
    public const int InputsPerFormat = 10_000;

    public static FuzzSummary Execute(string name, byte[] original, int seed, int count, Func<Random, byte[], byte[]> mutate, Func<byte[], AttestationResult> verify)
    {
        var random = new Random(seed);
        var codes = new Dictionary<AttestationFailureCode, int>();
        var clock = Stopwatch.StartNew();
        int produced = 0, attempts = 0, equivalent = 0;
        var originalResult = verify(original);
        Assert.True(originalResult.Succeeded, $"{name}: the unmutated input does not verify: {originalResult.Failure}");
        string expected = Fingerprint(originalResult.Claims!);
        while (produced < count)
        {
            if (++attempts > count * 4)
            {
                Assert.Fail($"{name}: the mutator produced only {produced} distinct inputs in {attempts} attempts");
            }

            var input = mutate(random, original);
            if (input.AsSpan().SequenceEqual(original))
            {
                continue;
            }

            produced++;
            AttestationResult result;
            try
            {
                result = verify(input);
            }
            catch (Exception ex)
            {
                Assert.Fail($"{name} (seed {seed}, input {produced}): verification threw {ex.GetType().Name}: {ex.Message}\ninput: {Convert.ToHexStringLower(input)}");
                throw;
            }

            if (result.Succeeded && Fingerprint(result.Claims!) == expected)
            {
                // The same claims from different bytes: an unsigned field re-encoded in an equivalent form (e.g. an empty
                // COSE unprotected header written as null), not a forgery. Counted, and shown in the summary.
                equivalent++;
                continue;
            }

            if (result.Succeeded)
            {
                Assert.Fail($"{name} (seed {seed}, input {produced}): a mutated input verified ({Difference(original, input)})\ninput: {Convert.ToHexStringLower(input)}");
            }

            var failure = result.Failure!;
            Assert.True(Enum.IsDefined(failure.Code), $"{name}: undefined failure code {(int)failure.Code}");
            Assert.False(string.IsNullOrWhiteSpace(failure.Message), $"{name}: empty failure message for {failure.Code}");
            Assert.DoesNotContain("inner exception", failure.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("(Parameter '", failure.Message, StringComparison.Ordinal);
            codes[failure.Code] = codes.GetValueOrDefault(failure.Code) + 1;
        }

        Assert.True(equivalent <= produced / 100, $"{name}: {equivalent} of {produced} mutants verified with the original claims; the mutator is mostly producing equivalent inputs");
        return new FuzzSummary(name, produced, equivalent, clock.Elapsed, codes);
    }

    /// <summary>Everything the claims say, as one string.</summary>
    private static string Fingerprint(AttestationClaims claims) =>
        string.Join("|", claims.Format, claims.Tee, Convert.ToHexString(claims.UniqueId.Span), Convert.ToHexString(claims.SignerId.Span),
            Convert.ToHexString(claims.ReportData.Span), claims.Debug, claims.TcbStatus,
            string.Join(";", claims.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}")));

    private static string Difference(byte[] original, byte[] input)
    {
        int first = original.AsSpan().CommonPrefixLength(input);
        int last = 0;
        while (last < Math.Min(original.Length, input.Length) - first && original[^(last + 1)] == input[^(last + 1)])
        {
            last++;
        }

        return $"{original.Length} -> {input.Length} bytes; bytes {first}..{original.Length - last} of the original differ";
    }
}

/// <summary>What a campaign did: how many inputs, how long, and which failure codes they produced.</summary>
internal sealed record FuzzSummary(string Name, int Inputs, int EquivalentAccepted, TimeSpan Elapsed, IReadOnlyDictionary<AttestationFailureCode, int> Codes)
{
    public override string ToString() =>
        $"{Name}: {Inputs} inputs in {Elapsed.TotalSeconds:F1}s, {EquivalentAccepted} equivalent re-encodings accepted with unchanged claims; " + string.Join(", ", Codes.OrderByDescending(c => c.Value).Select(c => $"{c.Key}={c.Value}"));
}
