namespace SecGear.SecureChannel.Tests;

/// <summary>
/// A stream whose writes go to a server's Process and whose reads return the server's replies, then end. Like a relay,
/// when the server rejects a frame it forwards the server's Alert and stops forwarding. An optional rewrite lets a
/// test play the untrusted host and change frames on their way to the server.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly SecureChannelServer server;
    private readonly Func<byte[], byte[]>? rewrite;
    private readonly MemoryStream pending = new();
    private readonly List<byte> written = [];
    private bool failed;

    public ScriptedStream(SecureChannelServer server, Func<byte[], byte[]>? rewrite = null)
    {
        this.server = server;
        this.rewrite = rewrite;
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
        if (written.Count == 0 || failed)
        {
            written.Clear();
            return;
        }

        var frame = written.ToArray();
        written.Clear();
        long position = pending.Position;
        pending.Seek(0, SeekOrigin.End);
        try
        {
            foreach (var reply in server.Process(rewrite is null ? frame : rewrite(frame)))
            {
                pending.Write(reply);
            }
        }
        catch (SecureChannelException ex)
        {
            ServerFailure = ex;
            failed = true;
            pending.Write(ex.AlertFrame.Span);
        }

        pending.Position = position;
    }

    public override int Read(byte[] buffer, int offset, int count) => pending.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => written.AddRange(buffer.AsSpan(offset, count).ToArray());
}
