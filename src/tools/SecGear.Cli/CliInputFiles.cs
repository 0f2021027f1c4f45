using System.CommandLine;
using System.CommandLine.Parsing;

namespace SecGear.Cli;

/// <summary>
/// One treatment of file arguments for every command (docs/cli.md, "Exit codes"): a missing input file and a directory
/// given where a file is expected are both failures (exit 1) with a one-line error that says which.
/// </summary>
internal static class CliInputFiles
{
    /// <summary>
    /// The error for the first file option or argument on the command line that names an existing directory, or null.
    /// Checked before a command runs, so no command reads a directory as "access denied" or "could not find file".
    /// </summary>
    public static string? DirectoryGivenAsFile(ParseResult parse)
    {
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is not CommandResult command)
            {
                continue;
            }

            foreach (SymbolResult child in command.Children)
            {
                (string name, object? value) = child switch
                {
                    OptionResult o => (o.Option.Name, o.Implicit ? null : o.GetValueOrDefault<object?>()),
                    ArgumentResult a => (a.Argument.Name, a.GetValueOrDefault<object?>()),
                    _ => ("", null),
                };
                IEnumerable<FileInfo> files = value switch
                {
                    FileInfo file => [file],
                    IEnumerable<FileInfo> many => many,
                    _ => [],
                };
                foreach (FileInfo file in files)
                {
                    if (Directory.Exists(file.FullName))
                    {
                        return $"{name} '{file.FullName}' is a directory; a file is expected";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The failure for an input file that does not exist (exit 1, like any other unreadable input).</summary>
    public static FileNotFoundException Missing(string option, FileInfo file) =>
        new($"{option} '{file.FullName}' does not exist", file.FullName);
}
