using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SecGear.Host;

/// <summary>Delivers the enclave's log messages to the host's logger factory, one logger per category.</summary>
internal sealed class EnclaveLogRouter(ILoggerFactory? factory)
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    /// <summary>Routes one message. Values come from the enclave: anything out of range or missing is dropped.</summary>
    public void Log(int level, string? category, string? message)
    {
        if (factory is null || category is null || message is null || level < (int)LogLevel.Trace || level >= (int)LogLevel.None)
        {
            return;
        }

        ILogger logger = _loggers.GetOrAdd(category, static (c, f) => f.CreateLogger(c), factory);
        // The text was formatted inside the enclave: pass it as the state, never as a message template.
        logger.Log((LogLevel)level, default, message, null, static (text, _) => text);
    }
}
