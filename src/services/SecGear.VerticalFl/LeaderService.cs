using Grpc.Core;
using SecGear.VerticalFl.Grpc;

namespace SecGear.VerticalFl;

/// <summary>The leader's gRPC service: one bidirectional stream per follower, handed to the <see cref="LeaderNode"/>.</summary>
internal sealed class LeaderService(LeaderNode leader) : VerticalFlLeader.VerticalFlLeaderBase
{
    public override async Task Connect(IAsyncStreamReader<FollowerMessage> requestStream, IServerStreamWriter<LeaderMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) || requestStream.Current.KindCase != FollowerMessage.KindOneofCase.Join)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a follower's first message is Join"));
        }

        Join join = requestStream.Current.Join;
        FollowerLink link = leader.Attach(join.Party, join.CheckpointEpoch, responseStream, context.CancellationToken);
        string reason = "the follower closed its stream";
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                FollowerMessage message = requestStream.Current;
                switch (message.KindCase)
                {
                    case FollowerMessage.KindOneofCase.ChannelFrame:
                        await leader.RelayAsync(link, message.ChannelFrame.ToByteArray()).ConfigureAwait(false);
                        break;
                    case FollowerMessage.KindOneofCase.Ack:
                        link.Post(new LinkEvent(LinkEventKind.Ack, message.Ack.Round, message.Ack.Epoch, null));
                        break;
                    case FollowerMessage.KindOneofCase.Failure:
                        leader.LogLine($"follower '{link.Party}' reports: {message.Failure}");
                        link.Post(new LinkEvent(LinkEventKind.Failure, 0, 0, message.Failure));
                        break;
                    default:
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"unexpected {message.KindCase} from follower '{link.Party}'"));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or VerticalFlException)
        {
            reason = ex.Message;
        }
        finally
        {
            if (!link.Finished.IsCompleted)
            {
                leader.LogLine($"follower '{link.Party}' disconnected: {reason}");
                link.Drop(reason);
            }

            leader.Detach(link);
        }
    }
}
