using System.CommandLine;
using System.Security.Cryptography;

namespace SecGear.Cli.Commands;

/// <summary><c>secgear keygen --out key.pem [--public-out pub.pem] [--force | --if-missing]</c>.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the ECDSA P-384 private key (PKCS#8 PEM, mode 0600).", Required = true };
        var publicOutput = new Option<FileInfo?>("--public-out") { Description = "Also write the public key (SubjectPublicKeyInfo PEM)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing key file." };
        var ifMissing = new Option<bool>("--if-missing") { Description = "Succeed without changes when the key file already exists (for build scripts)." };
        var command = new Command("keygen", "Create an enclave signing key.") { output, publicOutput, force, ifMissing };
        CliAction.Set(command, (parse, stdout) =>
        {
            var path = parse.GetRequiredValue(output).FullName;
            bool replace = parse.GetValue(force);
            bool keepExisting = parse.GetValue(ifMissing);
            if (replace && keepExisting)
            {
                throw new CliUsageException("--force and --if-missing contradict each other");
            }

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var pem = SigningKeys.PrivateKeyPem(key);
            bool written;
            try
            {
                written = CliFiles.WriteAtomically(path, pem, CliFiles.Private, replace);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pem);
            }

            if (!written && !keepExisting)
            {
                throw new IOException($"'{path}' already exists; pass --force to replace it or --if-missing to keep it");
            }

            using var effective = written ? null : SigningKeys.LoadPrivateKey(path);
            var signer = effective ?? key;
            if (parse.GetValue(publicOutput) is { } publicPath)
            {
                CliFiles.WriteAtomically(publicPath.FullName, SigningKeys.PublicKeyPem(signer), CliFiles.Public, overwrite: true);
            }

            stdout.WriteLine(written ? $"wrote {path}" : $"kept existing {path}");
            stdout.WriteLine($"signer: {Convert.ToHexStringLower(SHA256.HashData(signer.ExportSubjectPublicKeyInfo()))}");
            return SecGearCli.Success;
        });
        return command;
    }
}
