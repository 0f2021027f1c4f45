using System.CommandLine;
using System.CommandLine.Parsing;
using SecGear.Cli.Commands;

namespace SecGear.Cli;

/// <summary>
/// The <c>secgear</c> command. Each subcommand lives in its own file under Commands/ and is registered in
/// <see cref="CreateRootCommand"/>. Exit codes: 0 success, 1 the operation failed (bad image, key, manifest, I/O),
/// 2 the command line is wrong.
/// </summary>
public static class SecGearCli
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code when the operation failed on bad input (image, key, manifest, file system).</summary>
    public const int Failure = 1;

    /// <summary>Exit code when the command line itself is wrong.</summary>
    public const int UsageError = 2;

    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("secgear: build, sign and inspect SecGear.NET enclaves.");
        root.Add(KeygenCommand.Create());
        root.Add(SignCommand.Create());
        root.Add(MeasureCommand.Create());
        root.Add(InspectCommand.Create());
        root.Add(PlatformCommand.Create());
        root.Add(EdlCommand.Create());
        root.Add(VerifyCommand.Create());
        root.Add(AttestCommand.Create());
        root.Add(ServiceCommand.Create());
        root.Add(CryptoCommand.Create());
        root.Add(FedSqlCommand.Create());
        return root;
    }

    /// <summary>Runs the command line in-process, writing to the given writers, and returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parse = CreateRootCommand().Parse(args);
        if (parse.Errors.Count > 0 || StrayOption(parse) is not null)
        {
            foreach (string message in UsageErrors(parse))
            {
                error.WriteLine($"secgear: error: {message}");
            }

            error.WriteLine("Run 'secgear --help' for usage.");
            return UsageError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// A word that looks like an option but was taken as an argument value (<c>secgear measure --bogus</c> would
    /// otherwise be read as an image path named "--bogus"). Negative numbers are values, not options.
    /// </summary>
    private static string? StrayOption(ParseResult parse) =>
        parse.Tokens.FirstOrDefault(t => t.Type == TokenType.Argument && t.Value.Length > 1 && t.Value[0] == '-' && !char.IsAsciiDigit(t.Value[1]))?.Value;

    /// <summary>The names of the parsed command and its parents below the root, e.g. ["edl", "check"].</summary>
    private static List<string> CommandPath(ParseResult parse)
    {
        var path = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is CommandResult { Command: not RootCommand } c; r = r.Parent)
        {
            path.Insert(0, c.Command.Name);
        }

        return path;
    }

    /// <summary>
    /// The parser's errors, most useful first: a word that is not a command is named as an unknown command (not
    /// "Required command was not provided"), then other unrecognised tokens, then the rest.
    /// </summary>
    private static IEnumerable<string> UsageErrors(ParseResult parse)
    {
        if (StrayOption(parse) is { } stray)
        {
            yield return $"unknown option '{stray}' for 'secgear {string.Join(' ', CommandPath(parse))}'";
        }

        Command command = parse.CommandResult.Command;
        string? unknown = parse.UnmatchedTokens.FirstOrDefault();
        bool unknownCommand = unknown is not null && command.Subcommands.Count > 0 && !unknown.StartsWith('-');
        if (unknownCommand)
        {
            var path = CommandPath(parse);
            string commands = string.Join(", ", command.Subcommands.Select(c => c.Name));
            yield return path.Count == 0
                ? $"unknown command '{unknown}'; the commands are {commands}"
                : $"unknown command '{unknown}' for 'secgear {string.Join(' ', path)}'; its commands are {commands}";
        }

        IEnumerable<string> rest = parse.Errors
            .Select(e => e.Message)
            .OrderBy(m => parse.UnmatchedTokens.Any(t => m.Contains($"'{t}'", StringComparison.Ordinal)) ? 0 : 1);
        foreach (string message in rest)
        {
            bool redundant = unknownCommand
                && (message.Contains($"'{unknown}'", StringComparison.Ordinal) || message == "Required command was not provided.");
            if (!redundant)
            {
                yield return message;
            }
        }
    }
}
