using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;

namespace SecGear.Cli.Commands;

/// <summary>
/// Runs a <c>secgear service</c> subcommand against the service and maps its outcome to the exit codes of
/// <see cref="ServiceCommand"/>: 0 done, 1 refused (a problem answer or a contraindicated verdict), 2 usage,
/// 3 service unreachable.
/// </summary>
internal static class ServiceCommandAction
{
    public static void Set(Command command, ServiceConnection connection, Func<ParseResult, AttestationServiceClient, TextWriter, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string name = "secgear " + CliAction.FullName(parse);
            if (CliInputFiles.DirectoryGivenAsFile(parse) is { } directory)
            {
                error.WriteLine($"{name}: error: {directory}");
                return SecGearCli.Failure;
            }

            try
            {
                var (http, client) = connection.Create(parse);
                using (http)
                {
                    return await body(parse, client, output, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is CliUsageException or ArgumentException)
            {
                // The client validates ids and resource paths before sending: a bad one is a usage error.
                error.WriteLine($"{name}: error: {ex.Message}");
                return SecGearCli.UsageError;
            }
            catch (AttestationServiceException ex) when (ex.IsUnreachable)
            {
                error.WriteLine($"{name}: error: {ex.Message}");
                return ServiceCommand.Unreachable;
            }
            catch (AttestationServiceException ex)
            {
                error.WriteLine($"{name}: refused: {ex.Message}");
                return SecGearCli.Failure;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or JsonException)
            {
                error.WriteLine($"{name}: error: {ex.Message}");
                return SecGearCli.Failure;
            }
        });
    }

    /// <summary>Prints a contract body as indented JSON.</summary>
    public static void WriteJson<T>(TextWriter output, T value) =>
        output.WriteLine(JsonSerializer.Serialize(value, IndentedJson));

    private static readonly JsonSerializerOptions IndentedJson = new(AttestationServiceJson.Options) { WriteIndented = true };

    /// <summary>Reads an input file of at most <paramref name="limit"/> bytes: a failure when absent, a usage error when too big.</summary>
    public static byte[] ReadBounded(FileInfo file, string option, long limit)
    {
        if (!file.Exists)
        {
            throw CliInputFiles.Missing(option, file);
        }

        return file.Length <= limit
            ? File.ReadAllBytes(file.FullName)
            : throw new CliUsageException($"{option} '{file.FullName}' is {file.Length} bytes; the limit is {limit}");
    }

    /// <summary>Parses an expected version option: a positive number, or absent.</summary>
    public static long? Version(ParseResult parse, Option<long?> option) =>
        parse.GetValue(option) switch
        {
            null => null,
            > 0 and var v => v,
            var v => throw new CliUsageException($"{option.Name} is {v}; a version is positive"),
        };
}
