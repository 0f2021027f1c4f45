using System.CommandLine;
using System.Globalization;
using SecGear.CryptoModule;
using SecGear.CryptoModule.Client;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear crypto ...</c>: talks to a SecGear TEE crypto module (<c>--url</c> or <c>$SECGEAR_CRYPTO_URL</c>, default
/// <see cref="DefaultUrl"/>) with a tenant credential (<c>--credential-file</c> or <c>$SECGEAR_CRYPTO_CREDENTIAL</c>), or
/// the administrator key (<c>--admin-key-file</c>) for <c>tenant create</c>. Exit codes: 0 done (and a signature or
/// MAC valid), 1 refused or invalid (the module's problem code is printed), 2 usage, 3 module unreachable.
/// </summary>
internal static class CryptoCommand
{
    /// <summary>The module's default address (its Program.cs default).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    private static readonly Option<string?> Url = new("--url") { Description = $"The crypto module (default $SECGEAR_CRYPTO_URL or {DefaultUrl})." };
    private static readonly Option<FileInfo?> CredentialFile = new("--credential-file") { Description = "A file holding the tenant credential (default $SECGEAR_CRYPTO_CREDENTIAL)." };
    private static readonly Option<FileInfo?> AdminKeyFile = new("--admin-key-file") { Description = "A file holding the administrator key (the module's admin.key)." };

    public static Command Create()
    {
        var command = new Command("crypto", "Use a SecGear TEE crypto module: tenants, keys, sign/verify, encrypt/decrypt, random.")
        {
            CreateTenant(), CreateKey(), CreateSign(), CreateVerify(), CreateEncrypt(), CreateDecrypt(), CreateRandom(),
        };
        command.Options.Add(Url);
        command.Options.Add(CredentialFile);
        command.Options.Add(AdminKeyFile);
        foreach (var option in command.Options)
        {
            option.Recursive = true;
        }

        return command;
    }

    private static Command CreateTenant()
    {
        var id = new Argument<string>("id") { Description = "Tenant id (a-z 0-9 -)." };
        var create = new Command("create", "Create a tenant (admin) and print its credential once.") { id };
        Set(create, async (parse, client, stdout) =>
        {
            var tenant = await client.CreateTenantAsync(parse.GetRequiredValue(id)).ConfigureAwait(false);
            stdout.WriteLine(tenant.Credential);
            return SecGearCli.Success;
        });
        return new Command("tenant", "Manage tenants (admin).") { create };
    }

    private static Command CreateKey()
    {
        var spec = new Option<KeySpec>("--spec") { Description = "EcP256, EcP384, Rsa2048, Rsa3072, Rsa4096, Sm2, Aes256, Sm4, HmacSha256, HmacSha384, HmacSm3.", Required = true };
        var usage = new Option<KeyUsage>("--usage") { Description = "Sign, Encrypt, Wrap or Mac.", Required = true };
        var keyId = new Option<string?>("--id") { Description = "Key id (generated when absent)." };
        var label = new Option<string?>("--label") { Description = "A label." };
        var create = new Command("create", "Generate a key inside the enclave.") { spec, usage, keyId, label };
        Set(create, async (parse, client, stdout) =>
        {
            Print(stdout, await client.CreateKeyAsync(parse.GetValue(spec), parse.GetValue(usage), parse.GetValue(keyId), parse.GetValue(label)).ConfigureAwait(false));
            return SecGearCli.Success;
        });
        var list = new Command("list", "List the tenant's keys.");
        Set(list, async (parse, client, stdout) =>
        {
            foreach (var key in (await client.ListKeysAsync().ConfigureAwait(false)).Keys)
            {
                Print(stdout, key);
            }

            return SecGearCli.Success;
        });
        var command = new Command("key", "Manage keys.") { create, list, CryptoImportCommand.Create(), CryptoImportCommand.CreateVersion() };
        foreach (var (name, description) in new[] { ("rotate", "Add a new primary version."), ("disable", "Refuse every use until enabled."), ("enable", "Allow use again."), ("destroy", "Erase the key's material for good.") })
        {
            var id = new Argument<string>("id");
            var sub = new Command(name, description) { id };
            Set(sub, async (parse, client, stdout) =>
            {
                string keyId = parse.GetRequiredValue(id);
                switch (name)
                {
                    case "rotate": Print(stdout, await client.RotateKeyAsync(keyId).ConfigureAwait(false)); break;
                    case "disable": Print(stdout, await client.DisableKeyAsync(keyId).ConfigureAwait(false)); break;
                    case "enable": Print(stdout, await client.EnableKeyAsync(keyId).ConfigureAwait(false)); break;
                    default: await client.DestroyKeyAsync(keyId).ConfigureAwait(false); stdout.WriteLine($"{keyId} destroyed"); break;
                }

                return SecGearCli.Success;
            });
            command.Add(sub);
        }

        return command;
    }

    private static Command CreateSign()
    {
        var (id, input, scheme) = (new Argument<string>("id"), Input(), SchemeOption());
        var output = new Option<FileInfo>("--out") { Description = "Where to write the signature.", Required = true };
        var command = new Command("sign", "Sign a file's bytes with the key's primary version.") { id, input, scheme, output };
        Set(command, async (parse, client, stdout) =>
        {
            var signed = await client.SignAsync(parse.GetRequiredValue(id), new SignRequest(Read(parse.GetRequiredValue(input)), parse.GetValue(scheme))).ConfigureAwait(false);
            await File.WriteAllBytesAsync(parse.GetRequiredValue(output).FullName, signed.Signature).ConfigureAwait(false);
            stdout.WriteLine($"signed with version {signed.Version}: {signed.Signature.Length} bytes");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var (id, input, scheme) = (new Argument<string>("id"), Input(), SchemeOption());
        var signature = new Option<FileInfo>("--signature") { Description = "The signature file.", Required = true };
        var command = new Command("verify", "Verify a signature; exit 0 when valid, 1 when not.") { id, input, scheme, signature };
        Set(command, async (parse, client, stdout) =>
        {
            var result = await client.VerifyAsync(parse.GetRequiredValue(id),
                new VerifyRequest(Read(parse.GetRequiredValue(input)), Read(parse.GetRequiredValue(signature)), parse.GetValue(scheme))).ConfigureAwait(false);
            stdout.WriteLine(result.Valid ? $"valid (version {result.Version})" : "INVALID");
            return result.Valid ? SecGearCli.Success : SecGearCli.Failure;
        });
        return command;
    }

    private static Command CreateEncrypt()
    {
        var (id, input, scheme) = (new Argument<string>("id"), Input(), SchemeOption());
        var output = new Option<FileInfo>("--out") { Description = "Where to write the ciphertext.", Required = true };
        var command = new Command("encrypt", "Encrypt a file; prints the IV and key version decryption needs.") { id, input, scheme, output };
        Set(command, async (parse, client, stdout) =>
        {
            var encrypted = await client.EncryptAsync(parse.GetRequiredValue(id), new EncryptRequest(Read(parse.GetRequiredValue(input)), parse.GetValue(scheme))).ConfigureAwait(false);
            await File.WriteAllBytesAsync(parse.GetRequiredValue(output).FullName, encrypted.Ciphertext).ConfigureAwait(false);
            stdout.WriteLine($"iv: {(encrypted.Iv is null ? "-" : Convert.ToHexStringLower(encrypted.Iv))}");
            stdout.WriteLine($"version: {encrypted.Version}");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command CreateDecrypt()
    {
        var (id, input, scheme) = (new Argument<string>("id"), Input(), SchemeOption());
        var output = new Option<FileInfo>("--out") { Description = "Where to write the plaintext.", Required = true };
        var iv = new Option<string?>("--iv") { Description = "The IV (hex) 'encrypt' printed." };
        var version = new Option<uint?>("--version") { Description = "The key version 'encrypt' printed (default: primary)." };
        var command = new Command("decrypt", "Decrypt a file.") { id, input, scheme, output, iv, version };
        Set(command, async (parse, client, stdout) =>
        {
            byte[]? ivBytes = parse.GetValue(iv) is { } hex ? Convert.FromHexString(hex) : null;
            var decrypted = await client.DecryptAsync(parse.GetRequiredValue(id),
                new DecryptRequest(Read(parse.GetRequiredValue(input)), parse.GetValue(scheme), ivBytes, null, parse.GetValue(version))).ConfigureAwait(false);
            await File.WriteAllBytesAsync(parse.GetRequiredValue(output).FullName, decrypted.Plaintext).ConfigureAwait(false);
            stdout.WriteLine($"decrypted: {decrypted.Plaintext.Length} bytes");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command CreateRandom()
    {
        var length = new Argument<int>("bytes") { Description = "How many random bytes (1-65536)." };
        var command = new Command("random", "Print random bytes from the enclave (hex).") { length };
        Set(command, async (parse, client, stdout) =>
        {
            stdout.WriteLine(Convert.ToHexStringLower((await client.RandomAsync(parse.GetValue(length)).ConfigureAwait(false)).Bytes));
            return SecGearCli.Success;
        });
        return command;
    }

    private static Option<FileInfo> Input() => new("--in") { Description = "The input file.", Required = true };

    private static Option<Scheme> SchemeOption() => new("--scheme") { Description = "The algorithm (default: the key's default, e.g. ECDSA with its curve's hash, GCM)." };

    private static byte[] Read(FileInfo file) => ServiceCommandAction.ReadBounded(file, "--in", ServiceCommand.MaxInputFileSize);

    private static void Print(TextWriter stdout, KeyInfo key) =>
        stdout.WriteLine($"{key.Id}  {key.Spec}  {key.Usage}  {key.State}  v{key.PrimaryVersion.ToString(CultureInfo.InvariantCulture)}{(key.Label is null ? string.Empty : "  " + key.Label)}");

    internal static void Set(Command command, Func<ParseResult, CryptoModuleClient, TextWriter, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (CliInputFiles.DirectoryGivenAsFile(parse) is { } directory)
            {
                stderr.WriteLine($"secgear {CliAction.FullName(parse)}: error: {directory}");
                return SecGearCli.Failure;
            }

            try
            {
                string url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("SECGEAR_CRYPTO_URL") ?? DefaultUrl;
                string? credential = parse.GetValue(CredentialFile) is { } file ? File.ReadAllText(file.FullName).Trim() : Environment.GetEnvironmentVariable("SECGEAR_CRYPTO_CREDENTIAL");
                string? adminKey = parse.GetValue(AdminKeyFile) is { } admin ? File.ReadAllText(admin.FullName).Trim() : null;
                using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/") };
                return await body(parse, new CryptoModuleClient(http, credential, adminKey), stdout).ConfigureAwait(false);
            }
            catch (CryptoModuleException ex)
            {
                stderr.WriteLine($"secgear {CliAction.FullName(parse)}: {ex.Code}: {ex.Message}");
                return ex.Code == CryptoModuleClient.Unreachable && ex.StatusCode == 0 ? ServiceCommand.Unreachable : SecGearCli.Failure;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or UriFormatException or CliUsageException or ArgumentException or SecGear.Attestation.AttestationException)
            {
                stderr.WriteLine($"secgear {CliAction.FullName(parse)}: error: {ex.Message}");
                return ex is CliUsageException ? SecGearCli.UsageError : SecGearCli.Failure;
            }
        });
    }
}
