using System.Net;
using System.Net.Sockets;
using SecGear.CryptoModule.Binary;
using SecGear.CryptoModule.Keys;
using SecGear.CryptoModule.Security;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// The binary transport (<see cref="BinaryProtocol"/>) on its own TCP listener: a connection authenticates once with
/// the tenant credential, then sends batches of key operations, several in flight (up to
/// <see cref="BinaryConnection.MaxInFlight"/>), each answered in one frame under its request id. The batches of all
/// connections meet in one <see cref="BinaryBatchMerger"/>, which runs whatever is queued in one enclave call.
/// It exists because an HTTP/JSON request costs more CPU than a 1 KiB GCM or an ECDSA signature; the JSON API stays
/// the complete interface. A malformed frame gets a refusal (after the answers in flight) and the connection is closed.
/// </summary>
internal sealed partial class BinaryEndpoint(CryptoModuleOptions options, TenantAuthenticator auth, KeyService service, ILogger<BinaryEndpoint> logger) : BackgroundService
{
    // How long a closing connection waits for the answers to its batches in flight.
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(30);
    private readonly BinaryBatchMerger _merger = new(service, Math.Max(1, options.BinaryConcurrentCalls), logger);
    private Socket? _listener;
    private int _connections;

    /// <summary>The bound port, or null when the transport is off.</summary>
    public int? Port { get; private set; }

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bound before the application reports started, so the transports route answers the real port.
        if (!string.Equals(options.BinaryEndpoint, "off", StringComparison.OrdinalIgnoreCase))
        {
            if (!IPEndPoint.TryParse(options.BinaryEndpoint, out var endpoint))
            {
                throw new InvalidOperationException($"CryptoModule:BinaryEndpoint '{options.BinaryEndpoint}' is neither an address:port nor 'off'.");
            }

            _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(endpoint);
            _listener.Listen(512);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null)
        {
            return;
        }

        using var registration = stoppingToken.Register(() => _listener.Dispose());
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            if (Interlocked.Increment(ref _connections) > options.BinaryMaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                _ = Task.Run(() => RefuseConnectionAsync(socket, stoppingToken), CancellationToken.None);
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(socket, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _connections);
                }
            }, CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken stoppingToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            string? tenant = await HelloAsync(stream, stoppingToken).ConfigureAwait(false);
            if (tenant is null)
            {
                return;
            }

            var connection = new BinaryConnection(stream);
            try
            {
                await ReadBatchesAsync(connection, tenant, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                connection.Close();
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away, broke the framing, or the module is stopping: the connection ends.
            LogClosed(logger, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            // Logged without the message, which could quote request data.
            LogUnexpected(logger, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Hands each batch to the merger as soon as it is read (taking one of the connection's slots), so a client can
    /// pipeline. At the end of the stream the answers in flight are still written; a malformed frame is refused after
    /// them, under the connection's id, and ends the connection.
    /// </summary>
    private async Task ReadBatchesAsync(BinaryConnection connection, string tenant, CancellationToken stoppingToken)
    {
        while (true)
        {
            byte[]? payload;
            try
            {
                payload = await BinaryProtocol.ReadFrameAsync(connection.Stream, stoppingToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                // A length out of range or a frame cut short: refused like a malformed batch.
                await connection.DrainAsync(DrainTime).ConfigureAwait(false);
                await RefuseAsync(connection.Stream, CryptoProblemException.Malformed($"The frame is malformed: {ex.Message}"), stoppingToken).ConfigureAwait(false);
                return;
            }

            if (payload is null)
            {
                await connection.DrainAsync(DrainTime).ConfigureAwait(false);
                return;
            }

            var operations = new List<BinaryOperation>();
            if (!BinaryProtocol.TryDecodeBatch(payload, out uint id, operations, out string? error))
            {
                await connection.DrainAsync(DrainTime).ConfigureAwait(false);
                await RefuseAsync(connection.Stream, CryptoProblemException.Malformed($"The batch is malformed: {error}."), stoppingToken).ConfigureAwait(false);
                return;
            }

            await connection.WaitForSlotAsync(stoppingToken).ConfigureAwait(false);
            _merger.Submit(new BinaryJob(connection, id, tenant, operations, payload.Length));
        }
    }

    /// <summary>Answers a connection over the limit with one typed refusal (instead of its hello's answer) and closes it.</summary>
    private async Task RefuseConnectionAsync(Socket socket, CancellationToken stoppingToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            LogRefused(logger, options.BinaryMaxConnections);
            // The hello is read first: closing with it unread would reset the connection before the refusal arrives.
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await BinaryProtocol.ReadFrameAsync(stream, timeout.Token).ConfigureAwait(false);
            }

            await RefuseAsync(stream, new CryptoProblemException(StatusCodes.Status503ServiceUnavailable, CryptoModuleErrorCodes.TooManyConnections,
                $"The binary transport serves at most {options.BinaryMaxConnections} connections at once; retry later."), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogClosed(logger, ex.GetType().Name);
        }
    }

    private async Task<string?> HelloAsync(NetworkStream stream, CancellationToken stoppingToken)
    {
        byte[]? hello = await BinaryProtocol.ReadFrameAsync(stream, stoppingToken).ConfigureAwait(false);
        if (hello is null)
        {
            return null;
        }

        if (!BinaryProtocol.TryDecodeHello(hello, out string? credential, out string? error))
        {
            await RefuseAsync(stream, CryptoProblemException.Malformed($"The hello is malformed: {error}."), stoppingToken).ConfigureAwait(false);
            return null;
        }

        try
        {
            string tenant = await auth.AuthenticateAsync(credential).ConfigureAwait(false);
            await stream.WriteAsync(BinaryProtocol.EncodeResults(BinaryProtocol.ConnectionId, [new BinaryResult()]), stoppingToken).ConfigureAwait(false);
            return tenant;
        }
        catch (CryptoProblemException ex)
        {
            await RefuseAsync(stream, ex, stoppingToken).ConfigureAwait(false);
            return null;
        }
    }

    private static async Task RefuseAsync(NetworkStream stream, CryptoProblemException refusal, CancellationToken stoppingToken) =>
        await stream.WriteAsync(BinaryProtocol.EncodeResults(BinaryProtocol.ConnectionId, [BinaryResult.Refused(refusal.StatusCode, refusal.Code, refusal.Message)]), stoppingToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override void Dispose()
    {
        _listener?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Binary transport connection closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Binary transport connection refused: {Limit} connections are open")]
    private static partial void LogRefused(ILogger logger, int limit);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} on a binary transport connection; the connection was closed")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}
