using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.Cli;

/// <summary>Runs a subcommand body and turns expected failures into a one-line error and an exit code.</summary>
internal static class CliAction
{
    public static void Set(Command command, Func<ParseResult, TextWriter, int> body)
    {
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (CliInputFiles.DirectoryGivenAsFile(parse) is { } directory)
            {
                error.WriteLine($"secgear {command.Name}: error: {directory}");
                return SecGearCli.Failure;
            }

            try
            {
                return body(parse, output);
            }
            catch (CliUsageException ex)
            {
                error.WriteLine($"secgear {command.Name}: error: {ex.Message}");
                return SecGearCli.UsageError;
            }
            catch (Exception ex) when (ex is SecGearException or IOException or UnauthorizedAccessException
                or CryptographicException or JsonException or ArgumentException or InvalidOperationException)
            {
                error.WriteLine($"secgear {command.Name}: error: {ex.Message}");
                return SecGearCli.Failure;
            }
        });
    }
}
