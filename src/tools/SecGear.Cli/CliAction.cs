using System.CommandLine;
using System.CommandLine.Parsing;
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
            string name = FullName(parse);
            if (CliInputFiles.DirectoryGivenAsFile(parse) is { } directory)
            {
                error.WriteLine($"secgear {name}: error: {directory}");
                return SecGearCli.Failure;
            }

            try
            {
                return body(parse, output);
            }
            catch (CliUsageException ex)
            {
                error.WriteLine($"secgear {name}: error: {ex.Message}");
                return SecGearCli.UsageError;
            }
            catch (Exception ex) when (ex is SecGearException or IOException or UnauthorizedAccessException
                or CryptographicException or JsonException or ArgumentException or InvalidOperationException)
            {
                error.WriteLine($"secgear {name}: error: {ex.Message}");
                return SecGearCli.Failure;
            }
        });
    }

    /// <summary>The command as the user typed it below `secgear` ("fedsql roster-sign", not "roster-sign"), so an error names the command they ran.</summary>
    internal static string FullName(ParseResult parse)
    {
        var names = new Stack<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult { Parent: CommandResult } command; result = command.Parent)
        {
            names.Push(command.Command.Name);
        }

        return string.Join(' ', names);
    }
}
