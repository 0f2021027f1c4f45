using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

public sealed class SecurityTests
{
    // Secure channel frame type 5 is an application record (docs/secure-channel.md); Hello is a party's first record.
    private const byte RecordType = 5;

    [Fact]
    public async Task Follower_refuses_an_enclave_that_fails_its_policy()
    {
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer);
        EnclaveTrust wrong = EnclaveTrust.ForSimulated(new byte[32], run.Leader.EnclaveIdentity.Signer.ToArray());
        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.StartFollower(run.FollowerOptions(0, wrong)));
        Assert.Equal(VflStatus.EnclaveRefused, ex.Status);
        Assert.Contains("AttestationFailed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tampered_batch_message_is_rejected_and_training_stops_with_a_clear_error()
    {
        int records = 0;
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with
        {
            FrameInterceptor = (party, frame) =>
            {
                // The third record of follower A is its first embeddings batch after Hello: flip one ciphertext bit.
                if (party == "A" && frame[0] == RecordType && Interlocked.Increment(ref records) == 3)
                {
                    byte[] changed = (byte[])frame.Clone();
                    changed[^20] ^= 0x01;
                    return [changed];
                }

                return [frame];
            },
        });
        run.StartFollowers();
        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(2));
        Assert.Equal(VflStatus.ChannelRefused, ex.Status);
        Assert.Contains("follower 'A'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replayed_batch_message_is_rejected()
    {
        int records = 0;
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with
        {
            FrameInterceptor = (party, frame) =>
                party == "B" && frame[0] == RecordType && Interlocked.Increment(ref records) == 2 ? [frame, frame] : [frame],
        });
        run.StartFollowers();
        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(2));
        Assert.Equal(VflStatus.ChannelRefused, ex.Status);
        Assert.Contains("follower 'B'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reordered_batch_message_is_rejected()
    {
        // A follower has one record in flight at a time, so the host reorders by delivering an earlier record (the
        // embeddings of round 0) right after a later one (the embeddings of round 1): its sequence number goes back.
        byte[]? earlier = null;
        int records = 0;
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with
        {
            FrameInterceptor = (party, frame) =>
            {
                if (party != "A" || frame[0] != RecordType)
                {
                    return [frame];
                }

                int n = Interlocked.Increment(ref records);
                if (n == 2)
                {
                    earlier = frame;
                }

                return n == 4 && earlier is not null ? [frame, earlier] : [frame];
            },
        });
        run.StartFollowers();
        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(2));
        Assert.Equal(VflStatus.ChannelRefused, ex.Status);
    }
}
