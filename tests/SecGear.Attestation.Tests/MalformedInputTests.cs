using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>Truncated, oversized, zero-length and random input give typed failures; nothing escapes the API.</summary>
public sealed class MalformedInputTests
{
    [Fact]
    public void Zero_length_evidence_fails_EvidenceEmpty()
    {
        var result = AttestationVerifier.CreateDefault().Verify(new Evidence(EvidenceFormats.IntelDcapQuote, []), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.EvidenceEmpty, result.Failure?.Code);
    }

    [Fact]
    public void Oversized_evidence_fails_EvidenceTooLarge_before_parsing()
    {
        var result = AttestationVerifier.CreateDefault().Verify(new Evidence(EvidenceFormats.IntelDcapQuote, new byte[(64 * 1024) + 1]), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.EvidenceTooLarge, result.Failure?.Code);
    }

    [Fact]
    public void Unknown_format_fails_UnsupportedEvidenceFormat()
    {
        var evidence = Evidence.Detect("not a quote"u8);

        var result = AttestationVerifier.CreateDefault().Verify(evidence, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(EvidenceFormats.Unknown, evidence.Format);
        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceFormat, result.Failure?.Code);
    }

    [Fact]
    public void Random_bytes_give_typed_failures()
    {
        var random = new Random(20261127);
        var verifier = AttestationVerifier.CreateDefault();
        for (int i = 0; i < 2000; i++)
        {
            var data = new byte[random.Next(0, 6000)];
            random.NextBytes(data);
            if (data.Length >= 4 && i % 2 == 0)
            {
                // Half the inputs get a plausible header so the parser goes deeper than the version check.
                data[0] = (byte)(3 + (i % 3));
                data[1] = 0;
                data[2] = 2;
                data[3] = 0;
            }

            var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, data), null, DateTimeOffset.UnixEpoch);
            Assert.False(result.Succeeded);
            Assert.True(Enum.IsDefined(result.Failure!.Code));
        }
    }

    [TestVectorTheory]
    [InlineData("sgx1")]
    [InlineData("tdx1")]
    [InlineData("tdx4")]
    public void Every_truncation_of_a_real_quote_gives_a_typed_failure(string set)
    {
        var (quote, collateral) = NegativeSampleTests.Set(set);
        var verifier = AttestationVerifier.CreateDefault();
        Assert.True(DcapQuoteParser.TryParse(quote, 1 << 20, out var parsed, out _));
        int declaredEnd = quote.Length - parsed!.TrailingByteCount;

        for (int length = 0; length < declaredEnd; length += length < 700 ? 1 : 7)
        {
            var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, quote.AsSpan(0, length)), collateral, Samples.Tdx4Time);
            Assert.False(result.Succeeded, $"a quote cut to {length} bytes verified");
            Assert.Contains(result.Failure!.Code, new[] { AttestationFailureCode.EvidenceEmpty, AttestationFailureCode.EvidenceMalformed, AttestationFailureCode.PckChainMalformed });
        }
    }

    [TestVectorFact]
    public void Random_corruption_of_real_quotes_never_throws()
    {
        var random = new Random(5);
        var verifier = AttestationVerifier.CreateDefault();
        foreach (var set in new[] { "sgx1", "tdx1", "tdx4" })
        {
            var (quote, collateral) = NegativeSampleTests.Set(set);
            for (int i = 0; i < 300; i++)
            {
                var copy = (byte[])quote.Clone();
                for (int k = random.Next(1, 8); k > 0; k--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, copy), collateral, Samples.Tdx1Time);
                Assert.NotNull(result);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"tcb_info\":1}")]
    [InlineData("garbage")]
    [InlineData("\u0004\u0000\u0000\u0000\u0081\u0000\u0000\u0000")]
    public void Malformed_collateral_throws_CollateralMalformed(string text)
    {
        var ex = Assert.Throws<AttestationException>(() => IntelCollateral.Load(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
    }

    [TestVectorFact]
    public void Truncated_collateral_files_throw_CollateralMalformed()
    {
        foreach (var file in new[]
        {
            "sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json", "sgx-dcap-v3/openenclave-plugin/endorsements", "tdx-v5/openenclave-relaunch/tdx_endorsement_data.bin",
        })
        {
            var data = TestVectors.Read(file);
            for (int length = 0; length < data.Length; length += 97)
            {
                var ex = Assert.Throws<AttestationException>(() => IntelCollateral.Load(data.AsSpan(0, length)));
                Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
            }
        }
    }
}
