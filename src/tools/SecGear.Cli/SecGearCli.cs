using System.CommandLine;
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
        return root;
    }

    /// <summary>Runs the command line in-process, writing to the given writers, and returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parse = CreateRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"secgear: error: {parseError.Message}");
            }

            error.WriteLine("Run 'secgear --help' for usage.");
            return UsageError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
