using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class SevSnpTamperTests
{
    private readonly SevSnpVerifier _verifier = new();

    [TestVectorFact]
    public void Any_single_bit_flipped_anywhere_in_the_report_fails()
    {
        var (report, collateral) = SevSnpSampleTests.TrusteeVcek();
        var time = TestVectors.At("2025-01-01T00:00:00Z");
        Assert.True(_verifier.Verify(report, collateral, time).Succeeded);

        var accepted = new List<int>();
        for (int i = 0; i < report.Length; i++)
        {
            var tampered = (byte[])report.Clone();
            tampered[i] ^= (byte)(1 << (i % 8));
            if (_verifier.Verify(tampered, collateral, time).Succeeded)
            {
                accepted.Add(i);
            }
        }

        Assert.Empty(accepted);
    }

    [TestVectorFact]
    public void Every_bit_of_the_measurement_and_report_data_is_signed()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();
        for (int bit = 0; bit < (64 + 48) * 8; bit++)
        {
            var tampered = (byte[])report.Clone();
            tampered[0x50 + (bit / 8)] ^= (byte)(1 << (bit % 8));

            Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, _verifier.Verify(tampered, collateral, SevSnpSampleTests.GoSevGuestTime).Failure?.Code);
        }
    }

    [TestVectorFact]
    public void Truncated_and_oversized_reports_give_typed_parse_failures()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();
        foreach (int length in new[] { 0, 1, 4, 0x2A0, SnpReport.Size - 1 })
        {
            var code = _verifier.Verify(report.AsMemory(0, length), collateral, SevSnpSampleTests.GoSevGuestTime).Failure?.Code;
            Assert.Equal(length == 0 ? AttestationFailureCode.EvidenceEmpty : AttestationFailureCode.EvidenceMalformed, code);
        }

        byte[] longer = [.. report, 0];
        Assert.Equal(AttestationFailureCode.EvidenceTooLarge, _verifier.Verify(longer, collateral, SevSnpSampleTests.GoSevGuestTime).Failure?.Code);
    }

    [TestVectorFact]
    public void Version_signature_algorithm_and_signing_key_are_checked_by_name()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();
        AttestationFailureCode? Code(Action<byte[]> edit)
        {
            var copy = (byte[])report.Clone();
            edit(copy);
            return _verifier.Verify(copy, collateral, SevSnpSampleTests.GoSevGuestTime).Failure?.Code;
        }

        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceVersion, Code(r => r[0] = 1));
        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceVersion, Code(r => r[0] = 6));
        Assert.Equal(AttestationFailureCode.UnsupportedSignatureAlgorithm, Code(r => r[0x34] = 2));
        Assert.Equal(AttestationFailureCode.UnsupportedSigningKey, Code(r => r[0x48] = 7 << 2));
        Assert.Equal(AttestationFailureCode.EvidenceMalformed, Code(r => r[0x0A] &= 0xFD));
    }

    [Fact]
    public void Version_5_layout_reads_mitigation_vectors_that_are_reserved_bytes_in_version_2()
    {
        var bytes = new byte[SnpReport.Size];
        bytes[0] = 5;
        bytes[0x0A] = 0x02;
        bytes[0x34] = 1;
        bytes[0x1F8] = 0x11;
        bytes[0x200] = 0x22;

        bool v5Parsed = SnpReport.TryParse(bytes, out var v5, out var failure);
        bytes[0] = 2;
        bool v2Parsed = SnpReport.TryParse(bytes, out var v2, out var v2Failure);

        Assert.True(v5Parsed, failure?.ToString());
        Assert.Equal((0x11UL, 0x22UL), (v5!.LaunchMitigationVector!.Value, v5.CurrentMitigationVector!.Value));
        Assert.False(v2Parsed);
        Assert.Null(v2);
        Assert.Equal(AttestationFailureCode.EvidenceMalformed, v2Failure!.Code);
        Assert.Contains("0x1f8", v2Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_inputs_of_report_size_never_throw_and_fail_with_a_parse_code()
    {
        var random = new Random(1184);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[i % 2 == 0 ? SnpReport.Size : random.Next(1, 3000)];
            random.NextBytes(bytes);

            var failure = _verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch).Failure;

            Assert.NotNull(failure);
        }
    }
}
