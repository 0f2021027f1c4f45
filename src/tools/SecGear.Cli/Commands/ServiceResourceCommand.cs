using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear service resource put R/T/G --value-file F --allow-policy ID... [--allow-unique-id HEX]... [--allow-signer-id HEX]...
/// [--if-version N | --create-only]</c>, <c>list</c>, <c>delete R/T/G</c> (admin), and
/// <c>get R/T/G --token-file F [--key F --out F]</c> with an attestation token. The secret is never printed: it is read
/// from a file, and <c>get</c> either prints the sealed envelope or, given the recipient key, writes the opened secret to
/// a 0600 file.
/// </summary>
internal static class ServiceResourceCommand
{
    private const long MaxTokenFileSize = 64 * 1024;
    private const long MaxKeyFileSize = 64 * 1024;

    public static Command Create(ServiceConnection connection) =>
        new("resource", "Manage key-broker resources (admin) and fetch one with an attestation token.") { Put(connection), Get(connection), List(connection), Delete(connection) };

    private static Command Put(ServiceConnection connection)
    {
        var path = PathArgument();
        var valueFile = new Option<FileInfo>("--value-file") { Description = $"The secret (at most {ResourceEnvelope.MaxSecretLength} bytes).", Required = true };
        var policies = new Option<string[]>("--allow-policy") { Description = "A policy id whose tokens may read the resource; repeatable, at least one.", Required = true };
        var uniqueIds = new Option<string[]>("--allow-unique-id") { Description = "A measurement (hex) the token must carry; repeatable; none = any." };
        var signerIds = new Option<string[]>("--allow-signer-id") { Description = "A signer id (hex) the token must carry; repeatable; none = any." };
        var ifVersion = new Option<long?>("--if-version") { Description = "Replace only this version (else 412 VersionConflict)." };
        var createOnly = new Option<bool>("--create-only") { Description = "Create only; fail if the resource exists." };
        var command = new Command("put", "Store a secret and who may read it.") { path, valueFile, policies, uniqueIds, signerIds, ifVersion, createOnly };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var (repository, type, tag) = SplitPath(parse.GetRequiredValue(path));
            var condition = ServicePolicyCommand.Condition(parse, ifVersion, createOnly);
            byte[] value = ServiceCommandAction.ReadBounded(parse.GetRequiredValue(valueFile), "--value-file", ResourceEnvelope.MaxSecretLength);
            try
            {
                var policy = new ResourcePolicy(parse.GetRequiredValue(policies), parse.GetValue(uniqueIds) ?? [], parse.GetValue(signerIds) ?? []);
                var info = await client.PutResourceAsync(repository, type, tag, new ResourceWriteRequest(value, policy), condition, cancellationToken).ConfigureAwait(false);
                stdout.WriteLine($"resource {info.Path} v{info.Version}");
                return SecGearCli.Success;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(value);
            }
        });
        return command;
    }

    private static Command Get(ServiceConnection connection)
    {
        var path = PathArgument();
        var tokenFile = new Option<FileInfo>("--token-file") { Description = "The attestation token (from 'secgear service attest --token-out').", Required = true };
        var key = new Option<FileInfo?>("--key") { Description = "The recipient's P-256 private key (PKCS#8 PEM) whose SPKI was the runtime data; opens the envelope." };
        var output = new Option<FileInfo?>("--out") { Description = "With --key: where to write the secret (mode 0600)." };
        var command = new Command("get", "Fetch a resource sealed to the token's runtime key; print the envelope, or open it with --key into --out.") { path, tokenFile, key, output };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var (repository, type, tag) = SplitPath(parse.GetRequiredValue(path));
            if ((parse.GetValue(key) is null) != (parse.GetValue(output) is null))
            {
                throw new CliUsageException("--key and --out go together (the secret is written to a file, never printed)");
            }

            string token = System.Text.Encoding.ASCII.GetString(ServiceCommandAction.ReadBounded(parse.GetRequiredValue(tokenFile), "--token-file", MaxTokenFileSize)).Trim();
            var response = await client.GetResourceAsync(repository, type, tag, token, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(key) is not { } keyFile || parse.GetValue(output) is not { } outFile)
            {
                ServiceCommandAction.WriteJson(stdout, response);
                return SecGearCli.Success;
            }

            using var recipient = ECDiffieHellman.Create();
            recipient.ImportFromPem(System.Text.Encoding.ASCII.GetString(ServiceCommandAction.ReadBounded(keyFile, "--key", MaxKeyFileSize)));
            byte[] secret = response.Open(recipient);
            try
            {
                var destination = outFile.FullName;
                CliFiles.WriteAtomically(destination, secret, CliFiles.Private, overwrite: true);
                stdout.WriteLine($"resource {response.Path}: {secret.Length} bytes opened into {destination}");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static Command List(ServiceConnection connection)
    {
        var json = new Option<bool>("--json") { Description = "Print the resources as JSON." };
        var command = new Command("list", "List the stored resources (never their values).") { json };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var resources = await client.ListResourcesAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                ServiceCommandAction.WriteJson(stdout, resources);
            }
            else
            {
                foreach (var resource in resources)
                {
                    stdout.WriteLine($"{resource.Path}\tv{resource.Version}\t{resource.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)}\tpolicies {string.Join(',', resource.Policy.PolicyIds)}");
                }
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static Command Delete(ServiceConnection connection)
    {
        var path = PathArgument();
        var ifVersion = new Option<long?>("--if-version") { Description = "Delete only this version." };
        var command = new Command("delete", "Delete a resource.") { path, ifVersion };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var (repository, type, tag) = SplitPath(parse.GetRequiredValue(path));
            await client.DeleteResourceAsync(repository, type, tag, ServiceCommandAction.Version(parse, ifVersion), cancellationToken).ConfigureAwait(false);
            stdout.WriteLine($"resource {repository}/{type}/{tag} deleted");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Argument<string> PathArgument() => new("path") { Description = "The resource as repository/type/tag." };

    private static (string Repository, string Type, string Tag) SplitPath(string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 3 || !parts.All(ResourcePath.IsValidSegment))
        {
            throw new CliUsageException($"'{path}' is not repository/type/tag (each 1-{ResourcePath.MaxSegmentLength} characters of [A-Za-z0-9._-])");
        }

        return (parts[0], parts[1], parts[2]);
    }
}
