using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Gives Kestrel's own refusals a problem body. Kestrel answers requests it cannot parse (431 headers too large, 414
/// URI too long, 400 malformed, 408 too slow, 413) itself, before any middleware runs, with an empty body. This
/// connection middleware holds what Kestrel writes while no request is in the application (<see cref="Track"/> marks
/// the time a request spends there); a held HTTP/1.x 4xx response with <c>Content-Length: 0</c> and no Content-Type is
/// such a refusal, and gets the same <c>application/problem+json</c> body as every other 4xx. Anything else passes
/// through unchanged. HTTP/2 frames and TLS records never look like a held HTTP/1.x response and pass through.
/// </summary>
internal sealed class KestrelRefusalWriter(PipeWriter inner) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _held = new();
    private int _inApplication;
    private bool _lastHeld;

    /// <summary>The connection middleware: wraps the connection's output.</summary>
    public static ConnectionDelegate Middleware(ConnectionDelegate next) => connection =>
    {
        var writer = new KestrelRefusalWriter(connection.Transport.Output);
        connection.Items[typeof(KestrelRefusalWriter)] = writer;
        connection.Transport = new Duplex(connection.Transport.Input, writer);
        return next(connection);
    };

    /// <summary>Marks the request as in the application until its response has been sent.</summary>
    public static void Track(HttpContext context)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items
            && items.TryGetValue(typeof(KestrelRefusalWriter), out var value) && value is KestrelRefusalWriter writer)
        {
            Interlocked.Increment(ref writer._inApplication);
            context.Response.OnCompleted(() =>
            {
                Interlocked.Decrement(ref writer._inApplication);
                return Task.CompletedTask;
            });
        }
    }

    private bool Holding => Volatile.Read(ref _inApplication) == 0;

    public override Memory<byte> GetMemory(int sizeHint = 0) => (_lastHeld = Holding) ? _held.GetMemory(sizeHint) : inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_lastHeld = Holding) ? _held.GetSpan(sizeHint) : inner.GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        if (_lastHeld)
        {
            _held.Advance(bytes);
        }
        else
        {
            inner.Advance(bytes);
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

    public override void Complete(Exception? exception = null)
    {
        Release();
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        if (exception is null)
        {
            await inner.FlushAsync().ConfigureAwait(false);
        }

        await inner.CompleteAsync(exception).ConfigureAwait(false);
    }

    /// <summary>Writes what was held, with a problem body when it is one of Kestrel's bodiless refusals.</summary>
    private void Release()
    {
        if (_held.WrittenCount == 0)
        {
            return;
        }

        inner.Write(WithProblemBody(_held.WrittenSpan) ?? _held.WrittenSpan);
        _held.Clear();
    }

    internal static byte[]? WithProblemBody(ReadOnlySpan<byte> response)
    {
        int end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0 || end + 4 != response.Length || response.Length < 12
            || !(response.StartsWith("HTTP/1.1 4"u8) || response.StartsWith("HTTP/1.0 4"u8)))
        {
            return null;
        }

        string head = Encoding.ASCII.GetString(response[..end]);
        var lines = head.Split("\r\n").ToList();
        int lengthLine = lines.FindIndex(l => l.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase));
        if (lengthLine < 0 || lines.Any(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
            || !int.TryParse(head.AsSpan(9, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int status))
        {
            return null;
        }

        var body = Problem(status);
        lines[lengthLine] = "Content-Length: " + body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        lines.Insert(lengthLine + 1, "Content-Type: " + ProblemResponses.ContentType);
        return [.. Encoding.ASCII.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n"), .. body];
    }

    private static byte[] Problem(int status)
    {
        string code = status == StatusCodes.Status413PayloadTooLarge ? ServiceErrorCodes.PayloadTooLarge : ServiceErrorCodes.MalformedRequest;
        string detail = status switch
        {
            StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request's header fields exceed the server's limits (total size or count); nothing was processed.",
            StatusCodes.Status414UriTooLong => "The request line (method and URL) exceeds the server's limit; nothing was processed.",
            StatusCodes.Status408RequestTimeout => "The request headers did not arrive in time; nothing was processed.",
            StatusCodes.Status413PayloadTooLarge => "The request body exceeds the server's limit; nothing was processed.",
            StatusCodes.Status400BadRequest => "The request is not valid HTTP; nothing was processed.",
            _ => $"The server refused the request with HTTP {status}; nothing was processed.",
        };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", $"https://secgear.net/problems/{code}");
            writer.WriteString("title", code);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            writer.WriteString(ServiceErrorCodes.ProblemCodeMember, code);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
