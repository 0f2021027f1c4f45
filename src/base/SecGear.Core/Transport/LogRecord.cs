namespace SecGear.Transport;

/// <summary>A log message the enclave wrote outside an ECALL, sent as a JSON line on the runner's standard output.</summary>
internal sealed record LogRecord(int Level, string Category, string Message);
