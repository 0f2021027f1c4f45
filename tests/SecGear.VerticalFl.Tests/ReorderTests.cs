using SecGear.Host;
using SecGear.SecureChannel;
using SecGear.VerticalFl;
using SecGear.VerticalFl.Boundary;

namespace SecGear.VerticalFl.Tests;

public sealed class ReorderTests
{
    [Fact]
    public async Task Two_records_in_flight_delivered_in_swapped_order_are_refused()
    {
        // A follower's client seals two records (its embeddings of round 0, then its gradient request) before the host
        // delivers either; the host hands the later one to the enclave first. The channel must refuse it, and then the
        // earlier one too (the session is closed), so neither changes the round.
        string image = Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage");
        TrainingPlan plan = VflRun.AgreedPlan(TrainingMode.SplitLayer);
        await using Enclave enclave = Enclave.Create(image, EnclaveType.Simulation, EnclaveFlags.None, new EnclaveOptions());
        var proxy = new VerticalFlProxy(enclave, new NoLog());
        Assert.Equal(0, proxy.VflConfigure(plan.Encode()));

        var held = new List<byte[]>();
        bool holding = false;
        CallbackTransport? transport = null;
        transport = new CallbackTransport(async (frame, ct) =>
        {
            if (holding)
            {
                held.Add(frame.ToArray());
                return;
            }

            var replies = new byte[VflLimits.ReplyCapacity];
            int length = proxy.VflChannel(frame.Span, replies, out _);
            if (length > 0)
            {
                await transport!.DeliverAsync(replies.AsMemory(0, length), ct);
            }
        });
        await using (transport)
        {
            var options = new SecureChannelOptions { MaxFrameLength = VflLimits.MaxFrameLength, MaxRecordPayload = VflLimits.MaxRecordPayload, ClientCredential = VflRun.Identities[0].Credential };
            await using SecureChannelClient channel = await SecureChannelClient.ConnectAsync(transport, VflRun.Trust.Verifier, VflRun.Trust.Policy, options);
            await channel.SendAsync(new HelloMessage("A", 8).Encode());
            Assert.IsType<WelcomeMessage>(VflMessage.Decode((await channel.ReceiveAsync())!));

            holding = true;
            int[] ids = [1, 2, 3];
            await channel.SendAsync(new EmbeddingsMessage(0, true, BatchIds.Hash(ids), ids.Length, 8, new float[ids.Length * 8]).Encode());
            await channel.SendAsync(new GradientRequestMessage(0).Encode());
            Assert.Equal(2, held.Count);

            var replies = new byte[VflLimits.ReplyCapacity];
            proxy.VflChannel(held[1], replies, out int later);
            proxy.VflChannel(held[0], replies, out int earlier);

            Assert.Equal(VflEvent.Refused, (VflEvent)later);
            Assert.Equal(VflEvent.Refused, (VflEvent)earlier);
            var error = new byte[1024];
            string reason = System.Text.Encoding.UTF8.GetString(error, 0, proxy.VflLastError(error));
            Assert.StartsWith("ChannelRefused", reason, StringComparison.Ordinal);
            Assert.Equal((int)VflStatus.NotReady, proxy.VflForward(0, BatchIds.ToBytes(ids), new byte[ids.Length * 32]));
        }
    }

    private sealed class NoLog : IVerticalFlOcalls
    {
        public void VflLog(string? message)
        {
        }
    }
}
