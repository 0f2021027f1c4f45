using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.FederatedSql;
using SecGear.FederatedSql.Client;
using SecGear.SecureChannel;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear fedsql query SQL --url URL --analyst NAME --key PEM --certificate PEM --policy FILE [--simulation-ca PEM]
/// [--min-group-rows K] [--json]</c>: an analyst's query through the coordinator service (docs/federated-sql.md,
/// "Analysts"). The answer comes over a secure channel to the aggregation enclave that the policy pins; the coordinator's
/// host relays ciphertext only.
/// </summary>
internal static class FedSqlQueryCommand
{
    private const long MaxPemFileSize = 1 << 20;

    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "The query (the federation's SQL subset: one SELECT over the roster's catalog)." };
        var url = new Option<string>("--url") { Description = "The coordinator service (http://127.0.0.1:PORT; it prints 'listening: URL').", Required = true };
        var analyst = new Option<string>("--analyst") { Description = "Your name in the roster.", Required = true };
        var key = new Option<FileInfo>("--key") { Description = "Your private key (PEM); the roster pins its public key.", Required = true };
        var certificate = new Option<FileInfo>("--certificate") { Description = "Your certificate (PEM) for that key.", Required = true };
        var policy = new Option<FileInfo>("--policy") { Description = "The JSON attestation policy the aggregation enclave must satisfy, pinning its measurement (see docs/attestation.md).", Required = true };
        var simulationCa = new Option<FileInfo?>("--simulation-ca") { Description = "Accept simulation evidence certified by this simulated CA certificate (the policy must also allow simulation)." };
        var minGroupRows = new Option<int>("--min-group-rows") { Description = "The disclosure k you ask for: groups with fewer rows are suppressed (the roster's floor applies if higher).", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON (columns, rows, suppressedGroups)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the query may take.", DefaultValueFactory = _ => 300 };
        var query = new Command("query", "Run a federated SQL query as an analyst; only the attested enclave sees the answer before you.")
        {
            sql, url, analyst, key, certificate, policy, simulationCa, minGroupRows, json, timeout,
        };
        query.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string name = CliAction.FullName(parse);
            try
            {
                int k = parse.GetValue(minGroupRows);
                int seconds = parse.GetValue(timeout);
                if (k < 1 || seconds < 1)
                {
                    throw new CliUsageException("--min-group-rows and --timeout must be 1 or more");
                }

                var address = Address(parse.GetRequiredValue(url));
                var verifier = AttestationVerifier.CreateDefault();
                if (parse.GetValue(simulationCa) is { } ca)
                {
                    verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(VerifyCommand.ReadCertificate(ca.FullName))));
                }

                var loadedPolicy = AttestationPolicy.FromJson(System.Text.Encoding.UTF8.GetString(
                    ServiceCommandAction.ReadBounded(parse.GetRequiredValue(policy), "--policy", MaxPemFileSize)));
                using var credential = LoadCredential(parse.GetRequiredValue(certificate), parse.GetRequiredValue(key));
                using var client = new FederatedSqlClient(new FederatedSqlClientOptions
                {
                    Address = address,
                    Analyst = parse.GetRequiredValue(analyst),
                    Credential = ClientCredential.FromCertificate(credential),
                    Verifier = verifier,
                    Policy = loadedPolicy,
                    Timeout = TimeSpan.FromSeconds(seconds),
                });
                var result = await client.QueryAsync(parse.GetRequiredValue(sql), k, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    stdout.WriteLine(JsonSerializer.Serialize(new { columns = result.Columns, rows = result.Rows, suppressedGroups = result.SuppressedGroups }));
                }
                else
                {
                    stdout.WriteLine(string.Join('\t', result.Columns));
                    foreach (var row in result.Rows)
                    {
                        stdout.WriteLine(string.Join('\t', row.Select(Text)));
                    }

                    // The roster's k floor applies when it is above the k asked for, so the line names no k.
                    stdout.WriteLine($"({result.Rows.Count} rows; {result.SuppressedGroups} groups suppressed by the disclosure policy)");
                }

                return SecGearCli.Success;
            }
            catch (FederatedSqlException ex)
            {
                stderr.WriteLine($"secgear {name}: {ex.Code}: {ex.Message}");
                // Nothing answering at --url is exit 3, as for the other service commands.
                return ex.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Unavailable } ? ServiceCommand.Unreachable : SecGearCli.Failure;
            }
            catch (CliUsageException ex)
            {
                stderr.WriteLine($"secgear {name}: error: {ex.Message}");
                return SecGearCli.UsageError;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException
                or AttestationException or JsonException or ArgumentException or InvalidOperationException)
            {
                stderr.WriteLine($"secgear {name}: error: {ex.Message}");
                return SecGearCli.Failure;
            }
        });
        return query;
    }

    private static X509Certificate2 LoadCredential(FileInfo certificate, FileInfo key)
    {
        if (certificate.Length > MaxPemFileSize || key.Length > MaxPemFileSize)
        {
            throw new CliUsageException($"--certificate and --key must be PEM files of at most {MaxPemFileSize} bytes");
        }

        return X509Certificate2.CreateFromPemFile(certificate.FullName, key.FullName);
    }

    private static Uri Address(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliUsageException($"--url must be an absolute http or https URL, not '{text}'");

    private static string Text(object? value) => value switch
    {
        null => "NULL",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
