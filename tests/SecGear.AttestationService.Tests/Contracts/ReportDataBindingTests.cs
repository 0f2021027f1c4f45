using System.Security.Cryptography;
using SecGear.AttestationService;

namespace SecGear.AttestationService.Tests.Contracts;

public sealed class ReportDataBindingTests
{
    [Fact]
    public void Compute_is_64_bytes_with_a_zero_tail_and_matches_itself()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        byte[] key = RandomNumberGenerator.GetBytes(91);

        byte[] reportData = ReportDataBinding.Compute(nonce, key);

        Assert.Equal(ReportDataBinding.Length, reportData.Length);
        Assert.All(reportData[32..], b => Assert.Equal(0, b));
        Assert.True(ReportDataBinding.Matches(reportData, nonce, key));
    }

    [Fact]
    public void Matches_fails_for_another_nonce_other_runtime_data_a_shifted_boundary_or_a_wrong_length()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        byte[] key = RandomNumberGenerator.GetBytes(65);
        byte[] reportData = ReportDataBinding.Compute(nonce, key);

        Assert.False(ReportDataBinding.Matches(reportData, RandomNumberGenerator.GetBytes(32), key));
        Assert.False(ReportDataBinding.Matches(reportData, nonce, key[..64]));
        Assert.False(ReportDataBinding.Matches(reportData, nonce[..31], [nonce[31], .. key]));
        Assert.False(ReportDataBinding.Matches(reportData[..32], nonce, key));
        var tail = (byte[])reportData.Clone();
        tail[63] = 1;
        Assert.False(ReportDataBinding.Matches(tail, nonce, key));
    }
}
