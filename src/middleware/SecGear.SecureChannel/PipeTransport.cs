using System.IO.Pipelines;

namespace SecGear.SecureChannel;

/// <summary>A transport over a <see cref="PipeReader"/>/<see cref="PipeWriter"/> pair (e.g. an <see cref="IDuplexPipe"/> from Kestrel connections or a socket library).</summary>
public sealed class PipeTransport : SecureChannelTransport
{
    private readonly PipeReader input;
    private readonly PipeWriter output;
    private readonly bool leaveOpen;

    /// <summary>Creates a transport that reads frames from <paramref name="input"/> and sends to <paramref name="output"/>; disposing it completes both unless <paramref name="leaveOpen"/>.</summary>
    public PipeTransport(PipeReader input, PipeWriter output, bool leaveOpen = false)
        : base(input ?? throw new ArgumentNullException(nameof(input)))
    {
        ArgumentNullException.ThrowIfNull(output);
        this.input = input;
        this.output = output;
        this.leaveOpen = leaveOpen;
    }

    /// <summary>Creates a transport over both ends of a duplex pipe.</summary>
    public PipeTransport(IDuplexPipe pipe, bool leaveOpen = false)
        : this((pipe ?? throw new ArgumentNullException(nameof(pipe))).Input, pipe.Output, leaveOpen)
    {
    }

    /// <inheritdoc />
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        FlushResult result = await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the transport's pending flush was cancelled");
        }

        if (result.IsCompleted)
        {
            throw Wire.Fail(SecureChannelFailureReason.Truncated, "the peer stopped reading the pipe; nothing more can be sent");
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }
}
