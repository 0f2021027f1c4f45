using System.Diagnostics;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>Mutated GPU evidence: deterministic, typed failures only, never an exception, bounded time.</summary>
public sealed class NvidiaGpuFuzzTests
{
    private static readonly AttestationFailureCode[] ParseOrCrypto =
    [
        AttestationFailureCode.EvidenceEmpty, AttestationFailureCode.EvidenceMalformed, AttestationFailureCode.TrailingBytes,
        AttestationFailureCode.UnsupportedEvidenceVersion, AttestationFailureCode.EvidenceSignatureInvalid,
        AttestationFailureCode.DeviceFirmwareIdMismatch,
    ];

    private readonly NvidiaGpuVerifier _verifier = new();

    [TestVectorFact]
    public void Every_single_bit_flip_in_the_report_is_rejected()
    {
        var report = GpuSamples.Report;
        var chain = GpuSamples.Chain;
        var accepted = new List<int>();
        for (int i = 0; i < report.Length; i++)
        {
            var tampered = (byte[])report.Clone();
            tampered[i] ^= (byte)(1 << (i % 8));
            var failure = _verifier.Verify(NvidiaGpuEvidence.Encode(tampered, chain), null, GpuSamples.Gpu1Time).Failure;
            if (failure is null)
            {
                accepted.Add(i);
            }
            else
            {
                Assert.Contains(failure.Code, ParseOrCrypto);
            }
        }

        Assert.Empty(accepted);
    }

    [TestVectorFact]
    public void Ten_thousand_mutated_reports_fail_with_typed_codes_in_bounded_time()
    {
        var report = GpuSamples.Report;
        var chain = GpuSamples.Chain;
        var random = new Random(2020);
        var watch = Stopwatch.StartNew();
        for (int n = 0; n < 10_000; n++)
        {
            var mutated = Mutate(report, random);
            AttestationResult result;
            try
            {
                result = _verifier.Verify(NvidiaGpuEvidence.Encode(mutated, chain), null, GpuSamples.Gpu1Time);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"mutation {n} threw {ex.GetType().Name}: {ex.Message}");
            }

            Assert.False(result.Succeeded && !mutated.AsSpan().SequenceEqual(report), $"mutation {n} was accepted");
            Assert.True(result.Succeeded || ParseOrCrypto.Contains(result.Failure!.Code), $"mutation {n}: {result.Failure}");
        }

        // Generous bound for a loaded 2-core machine: parse failures are microseconds, signature checks about a millisecond.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"10,000 mutations took {watch.Elapsed}");
    }

    [TestVectorFact]
    public void Mutated_chains_and_containers_fail_with_typed_codes()
    {
        var evidence = GpuSamples.Gpu1Evidence;
        var random = new Random(77);
        for (int n = 0; n < 1_000; n++)
        {
            var mutated = Mutate(evidence, random);
            var result = _verifier.Verify(mutated, null, GpuSamples.Gpu1Time);

            Assert.True(result.Succeeded || Enum.IsDefined(result.Failure!.Code), $"mutation {n}");
            if (result.Succeeded)
            {
                // Only changes the decoder ignores (e.g. PEM line layout, hex case) can keep the evidence valid.
                Assert.Equal(GpuSamples.Gpu1Nonce, Convert.ToHexStringLower(result.Claims!.ReportData.Span));
            }
        }
    }

    [Fact]
    public void Random_text_and_bytes_never_throw()
    {
        var random = new Random(4462);
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 3000)];
            random.NextBytes(bytes);
            if (i % 4 == 0 && bytes.Length > 20)
            {
                "11e001ff"u8.CopyTo(bytes);
                "-----BEGIN"u8.CopyTo(bytes.AsSpan(bytes.Length - 10));
            }

            var failure = _verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch).Failure;

            Assert.NotNull(failure);
            Assert.True(failure.Code is AttestationFailureCode.EvidenceEmpty or AttestationFailureCode.EvidenceMalformed, failure.ToString());
        }
    }

    /// <summary>One to four edits: bit flips, byte overwrites, truncation, insertion or deletion.</summary>
    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    bytes.RemoveAt(at);
                    break;
            }
        }

        return [.. bytes];
    }
}
