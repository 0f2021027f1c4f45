namespace SecGear.Cli;

/// <summary>The options given do not make sense together; reported with exit code <see cref="SecGearCli.UsageError"/>.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
