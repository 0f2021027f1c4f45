using System.CommandLine;
using System.Globalization;
using SecGear.AttestationService;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear service ...</c>: talks to a SecGear attestation service (<c>--url</c>, default
/// <see cref="ServiceConnection.DefaultUrl"/>). <c>challenge</c> and <c>attest</c> are what an attester's relay does;
/// <c>policy</c>, <c>refvalues</c> and <c>resource</c> are the admin API (API key from <c>--api-key-file</c> or
/// <c>$SECGEAR_API_KEY</c>), plus <c>resource get</c> with an attestation token. Exit codes: 0 done, 1 refused or
/// contraindicated, 2 usage, 3 service unreachable.
/// </summary>
internal static class ServiceCommand
{
    /// <summary>Exit code when the service could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Largest evidence, collateral or runtime-data file sent.</summary>
    internal const long MaxInputFileSize = 16 << 20;

    public static Command Create()
    {
        var connection = new ServiceConnection();
        var command = new Command("service", "Talk to a SecGear attestation service: challenge, attest, and manage policies, reference values and resources.")
        {
            CreateChallenge(connection),
            CreateAttest(connection),
            ServicePolicyCommand.Create(connection),
            ServiceReferenceValuesCommand.Create(connection),
            ServiceResourceCommand.Create(connection),
        };
        connection.AddTo(command);
        return command;
    }

    private static Command CreateChallenge(ServiceConnection connection)
    {
        var policy = new Option<string?>("--policy") { Description = "Tie the challenge to this policy id." };
        var runtimeData = new Option<FileInfo?>("--runtime-data") { Description = "Runtime data the evidence will bind (e.g. a key's SPKI DER); only used to print the report data." };
        var json = new Option<bool>("--json") { Description = "Print the challenge and the report data as JSON (sessionId, nonce as base64, nonceHex, expiresAt, reportData as hex)." };
        var command = new Command("challenge", "Get a single-use nonce and print the report data evidence must carry.") { policy, runtimeData, json };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            byte[] data = parse.GetValue(runtimeData) is { } file ? ServiceCommandAction.ReadBounded(file, "--runtime-data", MaxInputFileSize) : [];
            var challenge = await client.ChallengeAsync(parse.GetValue(policy), cancellationToken).ConfigureAwait(false);
            string reportData = Convert.ToHexStringLower(ReportDataBinding.Compute(challenge.Nonce, data));
            if (parse.GetValue(json))
            {
                // Everything the text form prints, so a script needs no second call: the report data is what `secgear
                // attest --report-data` takes next.
                ServiceCommandAction.WriteJson(stdout, new ChallengeOutput(challenge.SessionId, challenge.Nonce, Convert.ToHexStringLower(challenge.Nonce), challenge.ExpiresAt, reportData));
            }
            else
            {
                stdout.WriteLine($"session: {challenge.SessionId}");
                stdout.WriteLine($"nonce: {Convert.ToHexStringLower(challenge.Nonce)}");
                stdout.WriteLine($"expires: {challenge.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)}");
                stdout.WriteLine($"report-data: {reportData}");
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static Command CreateAttest(ServiceConnection connection)
    {
        var evidence = new Option<FileInfo>("--evidence") { Description = "The evidence file.", Required = true };
        var collateral = new Option<FileInfo[]>("--collateral") { Description = "A collateral file; repeat for several pieces." };
        var session = new Option<string>("--session") { Description = "The session id from 'secgear service challenge'.", Required = true };
        var policy = new Option<string>("--policy") { Description = "The policy id to appraise against.", Required = true };
        var runtimeData = new Option<FileInfo?>("--runtime-data") { Description = "The runtime data bound next to the nonce (e.g. a key's SPKI DER)." };
        var json = new Option<bool>("--json") { Description = "Print the whole verdict (token, claims, failure) as JSON." };
        var tokenOut = new Option<FileInfo?>("--token-out") { Description = "Write the attestation token here (mode 0600) when affirming." };
        var command = new Command("attest", "Send evidence for appraisal; exit 0 when affirming, 1 when contraindicated.")
        {
            evidence, collateral, session, policy, runtimeData, json, tokenOut,
        };
        ServiceCommandAction.Set(command, connection, async (parse, client, stdout, cancellationToken) =>
        {
            var request = new AttestationRequest(
                parse.GetRequiredValue(session),
                parse.GetRequiredValue(policy),
                ServiceCommandAction.ReadBounded(parse.GetRequiredValue(evidence), "--evidence", MaxInputFileSize),
                parse.GetValue(collateral) is { Length: > 0 } files ? [.. files.Select(f => ServiceCommandAction.ReadBounded(f, "--collateral", MaxInputFileSize))] : null,
                parse.GetValue(runtimeData) is { } data ? ServiceCommandAction.ReadBounded(data, "--runtime-data", MaxInputFileSize) : null);
            var verdict = await client.AttestAsync(request, cancellationToken).ConfigureAwait(false);
            bool affirming = verdict.Status == AttestationStatus.Affirming;
            if (affirming && parse.GetValue(tokenOut) is { } tokenFile)
            {
                CliFiles.WriteAtomically(tokenFile.FullName, System.Text.Encoding.ASCII.GetBytes(verdict.Token!), CliFiles.Private, overwrite: true);
            }

            if (parse.GetValue(json))
            {
                ServiceCommandAction.WriteJson(stdout, verdict);
            }
            else if (affirming)
            {
                stdout.WriteLine($"{verdict.Status}: policy {verdict.PolicyId} v{verdict.PolicyVersion}, token expires {verdict.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture)}");
            }
            else
            {
                stdout.WriteLine($"{verdict.Status}: policy {verdict.PolicyId} v{verdict.PolicyVersion}: {verdict.Failure?.Code}: {verdict.Failure?.Message}");
            }

            return affirming ? SecGearCli.Success : SecGearCli.Failure;
        });
        return command;
    }
}
