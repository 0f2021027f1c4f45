using System.IO.Pipelines;

namespace SecGear.SecureChannel;

/// <summary>A transport over a <see cref="PipeReader"/>/<see cref="PipeWriter"/> pair (e.g. an <see cref="IDuplexPipe"/> from Kestrel connections or a socket library).</summary>
public sealed class PipeTransport : SecureChannelTransport
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly bool _leaveOpen;

    /// <summary>Creates a transport that reads frames from <paramref name="input"/> and sends to <paramref name="output"/>; disposing it completes both unless <paramref name="leaveOpen"/>.</summary>
    public PipeTransport(PipeReader input, PipeWriter output, bool leaveOpen = false)
        : base(input ?? throw new ArgumentNullException(nameof(input)))
    {
        ArgumentNullException.ThrowIfNull(output);
        _input = input;
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Creates a transport over both ends of a duplex pipe.</summary>
    public PipeTransport(IDuplexPipe pipe, bool leaveOpen = false)
        : this((pipe ?? throw new ArgumentNullException(nameof(pipe))).Input, pipe.Output, leaveOpen)
    {
    }

    /// <inheritdoc />
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        FlushResult result = await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the transport's pending flush was cancelled");
        }

        if (result.IsCompleted)
        {
            throw Wire.Fail(SecureChannelFailureCode.Truncated, "the peer stopped reading the pipe; nothing more can be sent");
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }
}
