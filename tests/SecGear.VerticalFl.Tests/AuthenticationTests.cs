using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Follower_claiming_another_partys_name_is_refused_by_the_enclave()
    {
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with { StepTimeout = TimeSpan.FromSeconds(10) });
        int sent = 0;

        // B's operator runs a second follower that says it is A, authenticating with B's (pinned, valid) key.
        Task impostor = run.StartFollower(run.FollowerOptions(0, credential: VflRun.Identities[1].Credential) with { Observer = (_, _, _) => Interlocked.Increment(ref sent) });
        run.Launch(run.FollowerOptions(1));

        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(1));
        Assert.Equal(VflStatus.ChannelRefused, ex.Status);
        Assert.Contains("authenticated as party 'B' and claims to be party 'A'", ex.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<VerticalFlException>(() => impostor);
        Assert.Equal(VflStatus.Unauthenticated, refused.Status);
        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task Follower_whose_key_the_plan_does_not_pin_is_refused_in_the_handshake()
    {
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer);
        using FollowerIdentity stranger = FollowerIdentity.Create("A");

        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.StartFollower(run.FollowerOptions(0, credential: stranger.Credential)));

        Assert.Equal(VflStatus.Unauthenticated, ex.Status);
        Assert.Contains("ClientCertificateRejected", ex.Message, StringComparison.Ordinal);
    }
}
