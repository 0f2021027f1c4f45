namespace SecGear.Trusted.Tests;

public sealed class TrustedRandomTests
{
    [Fact]
    public void GetBytes_returns_the_requested_number_of_distinct_random_bytes()
    {
        var a = TrustedRandom.GetBytes(32);
        var b = TrustedRandom.GetBytes(32);
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
        Assert.Empty(TrustedRandom.GetBytes(0));
    }

    [Fact]
    public void GetBytes_rejects_a_negative_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrustedRandom.GetBytes(-1));
    }

    [Fact]
    public void Fill_overwrites_the_whole_buffer()
    {
        var buffer = new byte[64];
        TrustedRandom.Fill(buffer);
        Assert.Contains(buffer, b => b != 0);
    }
}
