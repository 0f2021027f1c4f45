using System.CommandLine;
using System.Text.Json;
using SecGear.Attestation;
using SecGear.Host;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear attest --enclave F.sgimage (--report-data HEX | --nonce-file F) --out F [--engine simulation|inprocess]
/// [--secret-path P] [--json]</c>: starts the enclave (the simulation engine by default), asks the enclave itself for
/// evidence binding the report data over the engine's host/enclave boundary (the runtime's GetEvidence system call,
/// no EDL needed), writes it to <c>--out</c> and stops the enclave. The host chose the report data, so the evidence binds
/// it as host-requested report data (<see cref="SecGear.Identity.HostReportData"/>); verify it with the policy's
/// <c>expectedHostReportData</c>. The enclave side verifies the image before it runs,
/// so a tampered image is refused before any evidence exists.
/// </summary>
internal static class AttestCommand
{
    /// <summary>The most report data evidence binds.</summary>
    private const int MaxReportData = 64;

    public static Command Create()
    {
        var enclave = new Option<FileInfo>("--enclave", "--image") { Description = "The signed enclave image (.sgimage) to start and attest.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the evidence.", Required = true };
        var reportData = new Option<string?>("--report-data") { Description = "Up to 64 bytes of report data, as hex (e.g. a verifier's nonce); default: zeros. Bound as host-requested report data: verify with the policy's expectedHostReportData." };
        var nonceFile = new Option<FileInfo?>("--nonce-file") { Description = "A file whose bytes (at most 64) are the report data; instead of --report-data." };
        var engine = new Option<string>("--engine") { Description = "The engine that runs the enclave.", DefaultValueFactory = _ => "simulation" };
        engine.AcceptOnlyFromAmong("simulation", "inprocess");
        var secretPath = new Option<FileInfo?>("--secret-path") { Description = "Platform secret file (default: $SECGEAR_PLATFORM_SECRET, else ~/.secgear/simulation/platform.secret)." };
        var json = new Option<bool>("--json") { Description = "Print what was written (file, size, format, identity, report data) as JSON." };
        var command = new Command("attest", "Start an enclave and write the evidence it produces, binding the given report data.")
        {
            enclave, output, reportData, nonceFile, engine, secretPath, json,
        };
        CliAction.Set(command, (parse, stdout) =>
        {
            var data = ReadReportData(parse.GetValue(reportData), parse.GetValue(nonceFile));
            var type = parse.GetValue(engine) == "inprocess" ? EnclaveType.InProcess : EnclaveType.Simulation;
            var options = new EnclaveOptions { PlatformSecretPath = parse.GetValue(secretPath)?.FullName };
            byte[] evidence;
            SecGear.Identity.EnclaveIdentity identity;
            using (var running = Enclave.Create(parse.GetRequiredValue(enclave).FullName, type, EnclaveFlags.None, options))
            {
                evidence = running.GetEvidence(data);
                identity = running.Identity;
            }

            var destination = parse.GetRequiredValue(output).FullName;
            CliFiles.WriteAtomically(destination, evidence, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, overwrite: true);
            var format = Evidence.Detect(evidence).Format;
            if (parse.GetValue(json))
            {
                stdout.WriteLine(Json(destination, evidence.Length, format, type, identity, data));
            }
            else
            {
                stdout.WriteLine($"evidence: {destination} ({evidence.Length} bytes, format {format}, from the running enclave on the {(type == EnclaveType.InProcess ? "inprocess" : "simulation")} engine)");
                stdout.WriteLine($"measurement: {identity.MeasurementHex}");
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static byte[] ReadReportData(string? hex, FileInfo? nonceFile)
    {
        if (hex is not null && nonceFile is not null)
        {
            throw new CliUsageException("--report-data and --nonce-file are exclusive; give one");
        }

        if (nonceFile is not null)
        {
            long length = nonceFile.Exists ? nonceFile.Length : throw CliInputFiles.Missing("--nonce-file", nonceFile);
            return length <= MaxReportData
                ? File.ReadAllBytes(nonceFile.FullName)
                : throw new CliUsageException($"--nonce-file is {length} bytes; at most {MaxReportData} are allowed");
        }

        if (string.IsNullOrEmpty(hex))
        {
            return [];
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new CliUsageException($"--report-data must be hex; got '{hex}'");
        }

        return bytes.Length <= MaxReportData ? bytes : throw new CliUsageException($"--report-data is {bytes.Length} bytes; at most {MaxReportData} are allowed");
    }

    private static string Json(string path, int length, string format, EnclaveType engine, SecGear.Identity.EnclaveIdentity identity, byte[] reportData)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("evidence", path);
            writer.WriteNumber("length", length);
            writer.WriteString("format", format);
            writer.WriteString("engine", engine == EnclaveType.InProcess ? "inprocess" : "simulation");
            writer.WriteString("measurement", identity.MeasurementHex);
            writer.WriteString("signer", identity.SignerHex);
            writer.WriteString("reportData", Convert.ToHexStringLower(reportData));
            writer.WriteString("boundReportData", Convert.ToHexStringLower(SecGear.Identity.HostReportData.Derive(reportData)));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
