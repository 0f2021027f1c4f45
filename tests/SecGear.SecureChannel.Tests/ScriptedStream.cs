namespace SecGear.SecureChannel.Tests;

/// <summary>
/// A stream whose writes go to a server's Process and whose reads return the server's replies, then end. Like a relay,
/// when the server rejects a frame it forwards the server's Alert and stops forwarding. An optional rewrite lets a
/// test play the untrusted host and change frames on their way to the server.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly SecureChannelServer _server;
    private readonly Func<byte[], byte[]>? _rewrite;
    private readonly MemoryStream _pending = new();
    private readonly List<byte> _written = [];
    private bool _failed;

    public ScriptedStream(SecureChannelServer server, Func<byte[], byte[]>? rewrite = null)
    {
        _server = server;
        _rewrite = rewrite;
    }

    /// <summary>The server's rejection, once one happened.</summary>
    public SecureChannelException? ServerFailure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        if (_written.Count == 0 || _failed)
        {
            _written.Clear();
            return;
        }

        var frame = _written.ToArray();
        _written.Clear();
        long position = _pending.Position;
        _pending.Seek(0, SeekOrigin.End);
        try
        {
            foreach (var reply in _server.Process(_rewrite is null ? frame : _rewrite(frame)))
            {
                _pending.Write(reply);
            }
        }
        catch (SecureChannelException ex)
        {
            ServerFailure = ex;
            _failed = true;
            _pending.Write(ex.AlertFrame.Span);
        }

        _pending.Position = position;
    }

    public override int Read(byte[] buffer, int offset, int count) => _pending.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _written.AddRange(buffer.AsSpan(offset, count).ToArray());
}
