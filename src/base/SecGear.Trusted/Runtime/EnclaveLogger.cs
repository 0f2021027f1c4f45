using Microsoft.Extensions.Logging;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// The <see cref="ILogger"/> enclave code writes to: formats each message inside the enclave and hands level,
/// category and text to the engine, which routes them to the host's logger factory (a system message, not an OCALL).
/// </summary>
internal sealed class EnclaveLogger(string category, IEnclaveHostBridge host, bool debug) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string text = formatter(state, exception);
        if (exception is not null)
        {
            // A production enclave does not ship stack traces out: they describe its code paths.
            text = debug ? $"{text}{Environment.NewLine}{exception}" : $"{text} ({exception.GetType().FullName}: {exception.Message})";
        }

        host.Log(logLevel, category, text);
    }
}
