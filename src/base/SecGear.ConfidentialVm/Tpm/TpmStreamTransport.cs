using System.Net.Sockets;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>
/// TPM commands over a stream: the kernel's resource manager <c>/dev/tpmrm0</c> (one write, one read per command), or
/// swtpm's data socket (<c>swtpm socket --server type=unixio,path=…</c>), which carries the same raw command bytes.
/// </summary>
public sealed class TpmStreamTransport : ITpmTransport
{
    /// <summary>The largest response accepted (TPM 2.0 responses are at most a few kilobytes).</summary>
    public const int MaxResponse = 8192;

    private readonly Stream _stream;
    private readonly Socket? _socket;

    private TpmStreamTransport(Stream stream, Socket? socket)
    {
        _stream = stream;
        _socket = socket;
    }

    /// <summary>Opens a TPM character device (default <c>/dev/tpmrm0</c>).</summary>
    /// <exception cref="TpmException">The device is absent or not accessible.</exception>
    public static TpmStreamTransport OpenDevice(string path = "/dev/tpmrm0")
    {
        try
        {
            return new TpmStreamTransport(new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TpmException($"cannot open the TPM at {path}: {ex.Message}");
        }
    }

    /// <summary>Connects to a TPM listening on a Unix socket (swtpm).</summary>
    /// <exception cref="TpmException">Nothing listens there.</exception>
    public static TpmStreamTransport ConnectUnixSocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new TpmStreamTransport(new NetworkStream(socket, ownsSocket: false), socket);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TpmException($"cannot connect to the TPM socket {path}: {ex.Message}");
        }
    }

    /// <inheritdoc/>
    public byte[] Execute(ReadOnlySpan<byte> command)
    {
        try
        {
            _stream.Write(command);
            _stream.Flush();
            if (_socket is null)
            {
                // A TPM character device returns the whole response to one read.
                byte[] buffer = new byte[MaxResponse];
                int n = _stream.Read(buffer);
                return n >= 10 ? buffer[..n] : throw new TpmException($"the TPM device returned {n} bytes; a response is at least 10");
            }

            byte[] header = new byte[10];
            ReadExactly(header, 0);
            uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
            if (size < 10 || size > MaxResponse)
            {
                throw new TpmException($"the TPM answered a {size}-byte response; expected 10..{MaxResponse}");
            }

            byte[] response = new byte[size];
            header.CopyTo(response, 0);
            ReadExactly(response, 10);
            return response;
        }
        catch (IOException ex)
        {
            throw new TpmException($"TPM I/O failed: {ex.Message}");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Dispose();
        _socket?.Dispose();
    }

    private void ReadExactly(byte[] buffer, int offset)
    {
        int total = offset;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                throw new TpmException("the TPM closed the connection mid-response");
            }

            total += n;
        }
    }
}
