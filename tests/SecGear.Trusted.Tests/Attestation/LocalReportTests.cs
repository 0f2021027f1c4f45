using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Tests.Attestation;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalReportTests : IDisposable
{
    private static readonly byte[] Nonce = "local attestation nonce"u8.ToArray();
    private readonly TestPlatforms _platforms = new();

    public void Dispose() => _platforms.Dispose();

    private SimulatedPlatform EnclaveA() => _platforms.Platform(TestPlatforms.Identity(TestPlatforms.MeasurementA, TestPlatforms.SignerA, productId: 7, svn: 3));

    private SimulatedPlatform EnclaveB(string? secretPath = null) =>
        _platforms.Platform(TestPlatforms.Identity(TestPlatforms.MeasurementB, TestPlatforms.SignerB, productId: 9, svn: 1, debug: true), secretPath);

    [Fact]
    public void Target_enclave_learns_the_source_identity_and_report_data()
    {
        var report = EnclaveA().CreateReport(TestPlatforms.MeasurementB, Nonce);

        var verified = EnclaveB().VerifyReport(report);

        Assert.Equal(TestPlatforms.MeasurementA, verified.Source.Measurement);
        Assert.Equal(TestPlatforms.SignerA, verified.Source.Signer);
        Assert.Equal(7, verified.Source.ProductId);
        Assert.Equal(3, verified.Source.SecurityVersion);
        Assert.False(verified.Source.Debug);
        Assert.Equal(TestPlatforms.MeasurementB, verified.TargetMeasurement.ToArray());
        Assert.Equal(Nonce, verified.ReportData[..Nonce.Length].ToArray());
        Assert.All(verified.ReportData[Nonce.Length..].ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Mutual_reports_let_two_enclaves_learn_each_others_identity()
    {
        var a = EnclaveA();
        var b = EnclaveB();

        var fromB = a.VerifyReport(b.CreateReport(a.Identity.Measurement, []));
        var fromA = b.VerifyReport(a.CreateReport(b.Identity.Measurement, []));

        Assert.Equal(b.Identity.Measurement, fromB.Source.Measurement);
        Assert.True(fromB.Source.Debug);
        Assert.Equal(a.Identity.Measurement, fromA.Source.Measurement);
    }

    [Fact]
    public void A_report_addressed_to_another_enclave_is_rejected()
    {
        var report = EnclaveA().CreateReport(TestPlatforms.MeasurementB, Nonce);

        var error = Assert.Throws<LocalReportException>(() => EnclaveA().VerifyReport(report));
        Assert.Contains("addressed to the enclave with measurement " + Convert.ToHexStringLower(TestPlatforms.MeasurementB), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_report_made_on_another_platform_is_rejected()
    {
        var otherSecret = Path.Combine(_platforms.Directory, "other", "platform.secret");
        var report = EnclaveA().CreateReport(TestPlatforms.MeasurementB, Nonce);

        var error = Assert.Throws<LocalReportException>(() => EnclaveB(otherSecret).VerifyReport(report));
        Assert.Contains("MAC does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flipping_any_bit_of_a_report_makes_it_fail()
    {
        var report = EnclaveA().CreateReport(TestPlatforms.MeasurementB, Nonce);
        var target = EnclaveB();
        for (int i = 0; i < report.Length; i++)
        {
            for (int bit = 0; bit < 8; bit += 3)
            {
                var tampered = (byte[])report.Clone();
                tampered[i] ^= (byte)(1 << bit);
                Assert.Throws<LocalReportException>(() => target.VerifyReport(tampered));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(LocalReport.Length - 1)]
    [InlineData(LocalReport.Length + 1)]
    public void A_report_of_the_wrong_length_is_rejected(int length)
    {
        var error = Assert.Throws<LocalReportException>(() => EnclaveB().VerifyReport(new byte[length]));
        Assert.Contains($"{LocalReport.Length} bytes; got {length}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_data_longer_than_64_bytes_and_short_targets_are_refused()
    {
        var a = EnclaveA();
        Assert.Throws<ArgumentException>(() => a.CreateReport(TestPlatforms.MeasurementB, new byte[65]));
        Assert.Throws<ArgumentException>(() => a.CreateReport(new byte[31], Nonce));
    }
}
