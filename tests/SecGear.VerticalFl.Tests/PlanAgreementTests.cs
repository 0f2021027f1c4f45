using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

public sealed class PlanAgreementTests
{
    public static TheoryData<string> Tamperings => ["learning rate", "mode", "batch size", "key of A"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Followers_refuse_a_plan_the_leader_host_changed_before_sending_any_data(string tampering)
    {
        using FollowerIdentity host = FollowerIdentity.Create("A");
        int sent = 0;
        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer, o => o with
        {
            StepTimeout = TimeSpan.FromSeconds(5),
            Plan = tampering switch
            {
                "learning rate" => o.Plan with { LearningRate = 0.5f },
                "mode" => o.Plan with { Mode = TrainingMode.Strict },
                "batch size" => o.Plan with { BatchSize = 8 },
                _ => o.Plan with { Parties = [o.Plan.Parties[0] with { ClientKeySha256 = host.KeySha256 }, o.Plan.Parties[1]] },
            },
        });
        Task[] followers = [.. Enumerable.Range(0, 2).Select(i => run.StartFollower(run.FollowerOptions(i) with { Observer = (_, _, _) => Interlocked.Increment(ref sent) }))];

        await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(1));

        // B sees the enclave's plan inside its attested channel and names what the host changed.
        var refusedB = await Assert.ThrowsAsync<VerticalFlException>(() => followers[1]);
        Assert.Equal(VflStatus.PlanRejected, refusedB.Status);
        Assert.Contains(
            tampering switch
            {
                "learning rate" => "learning rate 0.5, expected 0.1",
                "mode" => "mode Strict, expected SplitLayer",
                "batch size" => "batch size 8, expected 32",
                _ => $"party 'A' authenticates with key {Convert.ToHexStringLower(host.KeySha256)}",
            },
            refusedB.Message,
            StringComparison.Ordinal);

        // A refuses the same way, or, when the host pinned its own key for A, A's real key no longer opens a session.
        var refusedA = await Assert.ThrowsAsync<VerticalFlException>(() => followers[0]);
        Assert.Equal(tampering == "key of A" ? VflStatus.Unauthenticated : VflStatus.PlanRejected, refusedA.Status);
        Assert.Equal(0, sent);
    }
}
