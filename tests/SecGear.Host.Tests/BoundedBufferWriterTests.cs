namespace SecGear.Host.Tests;

/// <summary>The host's cap on what an enclave may answer (evidence): refused before the memory is allocated.</summary>
public sealed class BoundedBufferWriterTests
{
    [Fact]
    public void Writes_up_to_the_limit_and_refuses_one_byte_more()
    {
        var writer = new BoundedBufferWriter(10);

        writer.GetSpan(6)[..6].Fill(1);
        writer.Advance(6);
        writer.GetSpan(4)[..4].Fill(2);
        writer.Advance(4);

        Assert.Equal([1, 1, 1, 1, 1, 1, 2, 2, 2, 2], writer.ToArray());
        Assert.Throws<MarshalException>(() => writer.GetSpan(1));
    }

    [Fact]
    public void A_size_hint_beyond_the_limit_is_refused_at_once()
    {
        var writer = new BoundedBufferWriter(Enclave.MaxEvidenceBytes);

        Assert.Throws<MarshalException>(() => writer.GetSpan(Enclave.MaxEvidenceBytes + 1));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Advancing_past_the_span_handed_out_is_a_bug_not_a_write()
    {
        var writer = new BoundedBufferWriter(16);
        writer.GetSpan(4);

        Assert.Throws<InvalidOperationException>(() => writer.Advance(17));
    }
}
