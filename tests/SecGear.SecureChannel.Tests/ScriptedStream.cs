namespace SecGear.SecureChannel.Tests;

/// <summary>A stream whose writes go to a server's Process and whose reads return the server's replies, then end.</summary>
internal sealed class ScriptedStream : Stream
{
    private readonly SecureChannelServer server;
    private readonly MemoryStream pending = new();
    private readonly List<byte> written = [];

    public ScriptedStream(SecureChannelServer server)
    {
        this.server = server;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        if (written.Count == 0)
        {
            return;
        }

        var frame = written.ToArray();
        written.Clear();
        long position = pending.Position;
        pending.Seek(0, SeekOrigin.End);
        foreach (var reply in server.Process(frame))
        {
            pending.Write(reply);
        }

        pending.Position = position;
    }

    public override int Read(byte[] buffer, int offset, int count) => pending.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => written.AddRange(buffer.AsSpan(offset, count).ToArray());
}
