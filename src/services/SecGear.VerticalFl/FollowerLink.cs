using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using SecGear.VerticalFl.Grpc;

namespace SecGear.VerticalFl;

/// <summary>
/// The leader's side of one follower's gRPC stream: sends commands and the enclave's reply frames to the follower, and
/// queues what happened (enclave events for the follower's frames, acknowledgements, failures, the end of the stream)
/// for the training loop, which waits for exactly the event it expects next.
/// </summary>
internal sealed class FollowerLink(string party, int checkpointEpoch, IServerStreamWriter<LeaderMessage> output, CancellationToken connectionClosed)
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Channel<LinkEvent> _events = Channel.CreateUnbounded<LinkEvent>();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Party { get; } = party;

    public int CheckpointEpoch { get; } = checkpointEpoch;

    public bool Dropped { get; private set; }

    /// <summary>Completes when the leader is done with this follower (Finish sent, or the link dropped).</summary>
    public Task Finished => _finished.Task;

    public async Task SendAsync(LeaderMessage message)
    {
        await _writeGate.WaitAsync(connectionClosed).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(message, connectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException or RpcException)
        {
            Drop($"sending to it failed: {ex.Message}");
            throw new VerticalFlException(VflStatus.FollowerDropped, $"follower '{Party}' is gone: {ex.Message}", ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Post(LinkEvent linkEvent) => _events.Writer.TryWrite(linkEvent);

    public void Drop(string reason)
    {
        Dropped = true;
        _events.Writer.TryWrite(new LinkEvent(LinkEventKind.Dropped, 0, 0, reason));
        _finished.TrySetResult();
    }

    public void Finish() => _finished.TrySetResult();

    /// <summary>Forgets events left over from an interrupted run.</summary>
    public void DrainStale()
    {
        while (_events.Reader.TryPeek(out LinkEvent? e) && e.Kind != LinkEventKind.Dropped && _events.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Waits for the next event and requires it to be <paramref name="kind"/>; anything else is a typed error naming the follower.</summary>
    public async Task<LinkEvent> ExpectAsync(LinkEventKind kind, string what, TimeSpan timeout, Func<string> enclaveError, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        LinkEvent next;
        try
        {
            next = await _events.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VerticalFlException(VflStatus.FollowerDropped, $"follower '{Party}' did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s while the leader waited for {what}");
        }

        if (next.Kind == kind)
        {
            return next;
        }

        throw next.Kind switch
        {
            LinkEventKind.Dropped => new VerticalFlException(VflStatus.FollowerDropped, $"follower '{Party}' dropped out while the leader waited for {what}: {next.Text}"),
            LinkEventKind.Failure => new VerticalFlException(VflStatus.FollowerDropped, $"follower '{Party}' failed while the leader waited for {what}: {next.Text}"),
            LinkEventKind.Refused => new VerticalFlException(VflStatus.ChannelRefused, $"the enclave refused a message of follower '{Party}' while the leader waited for {what}: {enclaveError()}"),
            _ => new VerticalFlException(VflStatus.WrongRound, $"follower '{Party}': expected {what}, got {next.Kind}"),
        };
    }
}
