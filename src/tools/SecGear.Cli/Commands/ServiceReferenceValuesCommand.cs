using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SecGear.AttestationService;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear service refvalues put ID (--file F | [--unique-id HEX]... [--signer-id HEX]... [--product-id N]... [--min-svn N])
/// [--if-version N | --create-only]</c>, <c>get ID</c>, <c>list [--json]</c>, <c>delete ID [--if-version N]</c> (admin).
/// </summary>
internal static class ServiceReferenceValuesCommand
{
    private const long MaxFileSize = 1 << 20;

    public static Command Create(ServiceConnection connection) =>
        new("refvalues", "Manage reference-value sets (admin).") { Put(connection), Get(connection), List(connection), Delete(connection) };

    private static Command Put(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The reference-value set id." };
        var file = new Option<FileInfo?>("--file") { Description = "The set as JSON ({\"uniqueIds\":[hex],\"signerIds\":[hex],\"productIds\":[n],\"minimumSecurityVersion\":n})." };
        var uniqueIds = new Option<string[]>("--unique-id") { Description = "An accepted measurement (hex); repeatable." };
        var signerIds = new Option<string[]>("--signer-id") { Description = "An accepted signer id (hex); repeatable." };
        var productIds = new Option<int[]>("--product-id") { Description = "An accepted product id; repeatable." };
        var minSvn = new Option<int?>("--min-svn") { Description = "The minimum security version." };
        var ifVersion = new Option<long?>("--if-version") { Description = "Replace only this version (else 412 VersionConflict)." };
        var createOnly = new Option<bool>("--create-only") { Description = "Create only; fail if the set exists." };
        var command = new Command("put", "Create or replace a reference-value set.") { id, file, uniqueIds, signerIds, productIds, minSvn, ifVersion, createOnly };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            ReferenceValueWriteRequest request;
            bool anyValueOption = parse.GetValue(uniqueIds) is { Length: > 0 } || parse.GetValue(signerIds) is { Length: > 0 }
                || parse.GetValue(productIds) is { Length: > 0 } || parse.GetValue(minSvn) is not null;
            if (parse.GetValue(file) is { } input)
            {
                if (anyValueOption)
                {
                    throw new CliUsageException("--file excludes --unique-id, --signer-id, --product-id and --min-svn");
                }

                try
                {
                    request = JsonSerializer.Deserialize<ReferenceValueWriteRequest>(ServiceCommandAction.ReadBounded(input, "--file", MaxFileSize), AttestationServiceJson.Options)
                        ?? throw new CliUsageException("--file holds JSON null");
                }
                catch (JsonException ex)
                {
                    throw new CliUsageException($"--file is not a reference-value set: {ex.Message}");
                }
            }
            else
            {
                request = new ReferenceValueWriteRequest(parse.GetValue(uniqueIds) ?? [], parse.GetValue(signerIds) ?? [], parse.GetValue(productIds) ?? [], parse.GetValue(minSvn));
            }

            var set = await client.PutReferenceValuesAsync(parse.GetRequiredValue(id), request, ServicePolicyCommand.Condition(parse, ifVersion, createOnly), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"refvalues {set.Id} v{set.Version}");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command Get(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The reference-value set id." };
        var command = new Command("get", "Print a reference-value set as JSON.") { id };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            ServiceCommandAction.WriteJson(stdout, await client.GetReferenceValuesAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false));
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command List(ServiceConnection connection)
    {
        var json = new Option<bool>("--json") { Description = "Print the sets as JSON." };
        var command = new Command("list", "List the reference-value sets.") { json };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var sets = await client.ListReferenceValuesAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                ServiceCommandAction.WriteJson(stdout, sets);
            }
            else
            {
                foreach (var set in sets)
                {
                    stdout.WriteLine($"{set.Id}\tv{set.Version}\t{set.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)}\t{set.UniqueIds.Count} unique ids, {set.SignerIds.Count} signer ids");
                }
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static Command Delete(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The reference-value set id." };
        var ifVersion = new Option<long?>("--if-version") { Description = "Delete only this version." };
        var command = new Command("delete", "Delete a reference-value set.") { id, ifVersion };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            await client.DeleteReferenceValuesAsync(parse.GetRequiredValue(id), ServiceCommandAction.Version(parse, ifVersion), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"refvalues {parse.GetRequiredValue(id)} deleted");
            return SecGearCli.Success;
        });
        return command;
    }
}
