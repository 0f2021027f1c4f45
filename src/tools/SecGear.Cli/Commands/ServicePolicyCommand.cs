using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SecGear.AttestationService;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear service policy put ID --file F [--reference-values ID]... [--if-version N | --create-only]</c>,
/// <c>get ID</c>, <c>list [--json]</c>, <c>delete ID [--if-version N]</c> (admin).
/// </summary>
internal static class ServicePolicyCommand
{
    private const long MaxPolicyFileSize = 1 << 20;

    public static Command Create(ServiceConnection connection)
    {
        return new Command("policy", "Manage appraisal policies (admin).") { Put(connection), Get(connection), List(connection), Delete(connection) };
    }

    private static Command Put(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The policy id." };
        var file = new Option<FileInfo>("--file") { Description = "The policy as JSON (AttestationPolicy schema, docs/attestation.md).", Required = true };
        var referenceValues = new Option<string[]>("--reference-values") { Description = "A reference-value set id whose values join the policy; repeatable." };
        var ifVersion = new Option<long?>("--if-version") { Description = "Replace only this version (else 412 VersionConflict)." };
        var createOnly = new Option<bool>("--create-only") { Description = "Create only; fail if the policy exists." };
        var command = new Command("put", "Create or replace a policy.") { id, file, referenceValues, ifVersion, createOnly };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            using var policy = ParseJson(ServiceCommandAction.ReadBounded(parse.GetRequiredValue(file), "--file", MaxPolicyFileSize), "--file");
            var request = new PolicyWriteRequest(policy.RootElement.Clone(), parse.GetValue(referenceValues) ?? []);
            var document = await client.PutPolicyAsync(parse.GetRequiredValue(id), request, Condition(parse, ifVersion, createOnly), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"policy {document.Id} v{document.Version}");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command Get(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The policy id." };
        var command = new Command("get", "Print a policy as JSON.") { id };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            ServiceCommandAction.WriteJson(stdout, await client.GetPolicyAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false));
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command List(ServiceConnection connection)
    {
        var json = new Option<bool>("--json") { Description = "Print the policies as JSON." };
        var command = new Command("list", "List the policies.") { json };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var policies = await client.ListPoliciesAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                ServiceCommandAction.WriteJson(stdout, policies);
            }
            else
            {
                foreach (var policy in policies)
                {
                    stdout.WriteLine($"{policy.Id}\tv{policy.Version}\t{policy.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)}\t{string.Join(',', policy.ReferenceValues)}");
                }
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static Command Delete(ServiceConnection connection)
    {
        var id = new Argument<string>("id") { Description = "The policy id." };
        var ifVersion = new Option<long?>("--if-version") { Description = "Delete only this version." };
        var command = new Command("delete", "Delete a policy.") { id, ifVersion };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            await client.DeletePolicyAsync(parse.GetRequiredValue(id), ServiceCommandAction.Version(parse, ifVersion), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"policy {parse.GetRequiredValue(id)} deleted");
            return SecGearCli.Success;
        });
        return command;
    }

    /// <summary>The write condition of a put: <c>--if-version N</c>, <c>--create-only</c> (version 0) or none.</summary>
    internal static long? Condition(ParseResult parse, Option<long?> ifVersion, Option<bool> createOnly)
    {
        var version = ServiceCommandAction.Version(parse, ifVersion);
        if (parse.GetValue(createOnly))
        {
            return version is null ? 0 : throw new CliUsageException("--if-version and --create-only exclude each other");
        }

        return version;
    }

    internal static JsonDocument ParseJson(byte[] bytes, string option)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }
}
