using System.CommandLine;
using System.Globalization;
using SecGear.Attestation;
using SecGear.Attestation.ArmCca;
using SecGear.Attestation.Simulation;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear verify --evidence F [--collateral F]... [--time ISO8601] [--policy F] [--json] [--simulation-ca F]</c>: verifies attestation
/// evidence (format recognised from content) and applies a policy (the default <see cref="AttestationPolicy"/> when
/// none is given). Exit 0 only when the evidence verifies and the policy passes; 1 otherwise. <c>--json</c> prints the claims or the failure as JSON.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var evidence = new Option<FileInfo>("--evidence") { Description = "The evidence file (e.g. an Intel DCAP quote).", Required = true };
        var collateral = new Option<FileInfo[]>("--collateral")
        {
            Description = "Collateral. Intel: dcap-qvl JSON, sgx_ql_qve_collateral_t dump or Open Enclave endorsements; or, repeating "
                + "--collateral, the separate PCS pieces (TCB info and QE identity JSON, issuer chain PEMs, PCK and root CA CRLs); "
                + "SEV-SNP: one PEM bundle with the VCEK/VLEK and its AMD chain (ASK/ASVK, ARK); "
                + "virtCCA: the device AIK certificate and the Huawei chain (DER or PEM, repeat --collateral); "
                + "Azure vTPM: the AMD chain PEM (SEV-SNP) or Intel collateral for the TD quote (TDX).",
            AllowMultipleArgumentsPerToken = false,
        };
        var time = new Option<string?>("--time") { Description = "Verification time (ISO 8601, e.g. 2025-07-04T00:00:00Z); default: now." };
        var policy = new Option<FileInfo?>("--policy") { Description = "A JSON policy (see docs/attestation.md); default: no debug, no simulation, up-to-date TCB statuses." };
        var json = new Option<bool>("--json") { Description = "Print the claims or the failure as JSON." };
        var ccaKeys = new Option<FileInfo?>("--cca-platform-keys")
        {
            Description = "Arm CCA: the provisioned platform attestation keys (CPAK) to trust, as JWK or Veraison trust-anchor JSON.",
        };
        var simulationCa = new Option<FileInfo?>("--simulation-ca") { Description = "Accept SecGear simulation evidence certified by this simulated CA certificate (PEM or DER; see secgear platform init). The policy must also allow simulation." };
        var virtCcaUnendorsed = new Option<bool>("--virtcca-accept-unendorsed") { Description = "virtCCA: accept a token without a platform token (nothing binds its realm key to the device); claims say hardware_endorsed=false." };
        var command = new Command("verify", "Verify attestation evidence against collateral and a policy.") { evidence, collateral, time, policy, json, ccaKeys, simulationCa, virtCcaUnendorsed };
        CliAction.Set(command, (parse, stdout) =>
        {
            var verificationTime = ParseTime(parse.GetValue(time));
            var evidenceBytes = ReadBounded(parse.GetRequiredValue(evidence).FullName);
            AttestationResult result;
            try
            {
                var detected = Evidence.Detect(evidenceBytes);
                var collateralFiles = parse.GetValue(collateral) ?? [];
                var loadedCollateral = collateralFiles.Length > 0 ? LoadCollateral(detected, [.. collateralFiles.Select(f => ReadBounded(f.FullName))]) : null;
                // Without --policy the default policy applies: no debug, no simulation, the up-to-date TCB statuses.
                var loadedPolicy = parse.GetValue(policy) is { } policyFile ? AttestationPolicy.FromJson(System.Text.Encoding.UTF8.GetString(ReadBounded(policyFile.FullName))) : new AttestationPolicy();
                var verifier = AttestationVerifier.CreateDefault();
                if (parse.GetValue(ccaKeys) is { } ccaKeysFile)
                {
                    var keys = CcaPlatformKeyStore.FromJson(System.Text.Encoding.UTF8.GetString(ReadBounded(ccaKeysFile.FullName)));
                    verifier.Register(new CcaVerifier(new CcaVerifierOptions { PlatformKeys = keys }));
                }

                if (parse.GetValue(simulationCa) is { } caFile)
                {
                    verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ReadCertificate(caFile.FullName))));
                }

                if (parse.GetValue(virtCcaUnendorsed))
                {
                    verifier.Register(new SecGear.Attestation.HuaweiVirtCca.VirtCcaVerifier(new() { AcceptUnendorsedRealmTokens = true }));
                }

                result = verifier.Verify(detected, loadedCollateral, verificationTime, loadedPolicy);
            }
            catch (AttestationException ex)
            {
                result = AttestationResult.Fail(ex.Failure);
            }

            if (parse.GetValue(json))
            {
                stdout.WriteLine(AttestationResultJson.Serialize(result));
            }
            else if (result.Succeeded)
            {
                var claims = result.Claims!;
                stdout.WriteLine($"verified: {claims.Tee} {claims.Format}, tcb {claims.TcbStatus}, unique id {Convert.ToHexStringLower(claims.UniqueId.Span)}");
            }
            else
            {
                parse.InvocationConfiguration.Error.WriteLine($"secgear verify: rejected: {result.Failure}");
            }

            return result.Succeeded ? SecGearCli.Success : SecGearCli.Failure;
        });
        return command;
    }

    /// <summary>Reads the collateral file(s) in the form the evidence's format needs; Intel pieces given separately are merged.</summary>
    private static Collateral LoadCollateral(Evidence evidence, byte[][] files) => CollateralLoader.Accepts(evidence.Format)
        ? CollateralLoader.Load(evidence.Format, [.. files.Select(f => (ReadOnlyMemory<byte>)f)])
        : throw new CliUsageException($"{evidence.Format} evidence carries its own certificates; --collateral does not apply");

    /// <summary>Largest evidence, collateral or policy file read (real ones are tens of kilobytes).</summary>
    private const long MaxInputFileSize = 16 << 20;

    private static byte[] ReadBounded(string path)
    {
        long length = new FileInfo(path).Length;
        return length <= MaxInputFileSize
            ? File.ReadAllBytes(path)
            : throw new CliUsageException($"'{path}' is {length} bytes; the limit is {MaxInputFileSize}");
    }

    private static byte[] ReadCertificate(string path)
    {
        var bytes = ReadBounded(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return bytes;
        }

        return System.Security.Cryptography.PemEncoding.TryFind(text, out var fields) && text[fields.Label] == "CERTIFICATE"
            ? Convert.FromBase64String(text[fields.Base64Data])
            : throw new CliUsageException($"'{path}' holds no PEM CERTIFICATE");
    }

    private static DateTimeOffset ParseTime(string? text)
    {
        if (text is null)
        {
            return DateTimeOffset.UtcNow;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new CliUsageException($"--time '{text}' is not an ISO 8601 date and time");
    }
}
