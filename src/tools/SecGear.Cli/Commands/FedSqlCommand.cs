using System.CommandLine;
using System.Security.Cryptography;
using SecGear.FederatedSql;
using SecGear.FederatedSql.Protocol;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear fedsql roster-sign ROSTER --key KEY.pem [--version N] --out FILE</c>: the federated SQL roster signer's
/// tool (docs/federated-sql.md, "Roster"). Sites pin the signer's public key (<c>--roster-signer</c>) and contribute only
/// to a roster it signed, at the pinned version or newer. Run where the signer's key lives, never on A's host.
/// </summary>
internal static class FedSqlCommand
{
    private const long MaxRosterFileSize = FederationRoster.MaxBytes;

    public static Command Create()
    {
        var roster = new Argument<FileInfo>("roster") { Description = "The roster (JSON: Sites, Analysts, MinGroupRowsFloor, QueryBudget, Tables, Version); a signature in it is replaced." };
        var key = new Option<FileInfo>("--key") { Description = "The roster signer's ECDSA P-384 private key (PEM, e.g. from 'secgear keygen').", Required = true };
        var version = new Option<long?>("--version") { Description = "The roster's version (default: the file's); sites refuse versions older than the one they pinned." };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the signed roster.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file." };
        var sign = new Command("roster-sign", "Sign a federated SQL roster as the federation's roster signer.") { roster, key, version, output, force };
        CliAction.Set(sign, (parse, stdout) =>
        {
            FederationConfig config;
            try
            {
                config = FederationRoster.Parse(ServiceCommandAction.ReadBounded(parse.GetRequiredValue(roster), "roster", MaxRosterFileSize));
            }
            catch (FederatedSqlException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
            }

            if (parse.GetValue(version) is { } number)
            {
                config = number >= 0 ? config with { Version = number } : throw new CliUsageException("--version must be 0 or more");
            }

            using var signer = SigningKeys.LoadPrivateKey(parse.GetRequiredValue(key).FullName);
            var signed = FederationRoster.Sign(config, signer);
            string path = parse.GetRequiredValue(output).FullName;
            if (!CliFiles.WriteAtomically(path, FederationRoster.Shown(signed), CliFiles.Public, parse.GetValue(force)))
            {
                throw new IOException($"'{path}' already exists; pass --force to replace it");
            }

            stdout.WriteLine($"wrote {path}");
            stdout.WriteLine($"version: {signed.Version}");
            stdout.WriteLine($"roster: {FederationRoster.Digest(signed)}");
            stdout.WriteLine($"signer: {Convert.ToHexStringLower(SHA256.HashData(signer.ExportSubjectPublicKeyInfo()))}");
            return SecGearCli.Success;
        });
        return new Command("fedsql", "Federated SQL: sign the federation's roster; query as an analyst.") { sign, FedSqlQueryCommand.Create() };
    }
}
