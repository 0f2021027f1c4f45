using System.CommandLine;
using System.Globalization;
using SecGear.Attestation;
using SecGear.Attestation.ArmCca;
using SecGear.Attestation.Simulation;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear verify --evidence F [--collateral F]... [--time ISO8601] [--policy F] [--json] [--simulation-ca F] [--device-chain F]</c>: verifies attestation
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
                + "SEV-SNP: the VCEK/VLEK (DER or PEM, as AMD KDS serves it) and its AMD chain (ASK/ASVK, ARK; PEM), as one bundle or separate files; "
                + "NVIDIA GPU: the driver and/or VBIOS RIM (signed SWID tag) files and DER OCSP responses, one per --collateral; "
                + "virtCCA: the device AIK certificate and the Huawei chain (DER or PEM, repeat --collateral); "
                + "Azure vTPM: the AMD chain PEM (SEV-SNP) or Intel collateral for the TD quote (TDX).",
            AllowMultipleArgumentsPerToken = false,
        };
        var time = new Option<string?>("--time") { Description = "Verification time, RFC 3339 with 'Z' or an offset (e.g. 2025-07-04T00:00:00Z); default: now." };
        var policy = new Option<FileInfo?>("--policy") { Description = "A JSON policy (see docs/attestation.md); default: no debug, no simulation, up-to-date TCB statuses." };
        var json = new Option<bool>("--json") { Description = "Print the claims or the failure as JSON." };
        var ccaKeys = new Option<FileInfo?>("--cca-platform-keys")
        {
            Description = "Arm CCA: the provisioned platform attestation keys (CPAK) to trust, as JWK or Veraison trust-anchor JSON.",
        };
        var simulationCa = new Option<FileInfo?>("--simulation-ca") { Description = "Accept SecGear simulation evidence certified by this simulated CA certificate (PEM or DER; see secgear platform init). The policy must also allow simulation." };
        var deviceChain = new Option<FileInfo?>("--device-chain")
        {
            Description = "NVIDIA GPU: the device certificate chain (PEM, leaf first) when the evidence file holds only the SPDM report (hex or base64).",
        };
        var virtCcaUnendorsed = new Option<bool>("--virtcca-accept-unendorsed") { Description = "virtCCA: accept a token without a platform token (nothing binds its realm key to the device); claims say hardware_endorsed=false." };
        var command = new Command("verify", "Verify attestation evidence against collateral and a policy.") { evidence, collateral, time, policy, json, ccaKeys, simulationCa, deviceChain, virtCcaUnendorsed };
        CliAction.Set(command, (parse, stdout) =>
        {
            var verificationTime = ParseTime(parse.GetValue(time));
            var evidenceBytes = ReadBounded(parse.GetRequiredValue(evidence).FullName);
            if (parse.GetValue(deviceChain) is { } chainFile)
            {
                // The report and its chain ship as separate files (trustee, nvtrust): join them into one evidence.
                evidenceBytes = [.. evidenceBytes, (byte)'\n', .. ReadBounded(chainFile.FullName)];
            }

            AttestationResult result;
            try
            {
                var detected = Evidence.Detect(evidenceBytes);
                var collateralFiles = parse.GetValue(collateral) ?? [];
                Collateral? loadedCollateral = null;
                if (collateralFiles.Length > 0 && !LoadCollateral(detected, [.. collateralFiles.Select(f => ReadBounded(f.FullName))], out loadedCollateral, out var collateralFailure))
                {
                    throw new AttestationException(collateralFailure);
                }

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

    /// <summary>
    /// Reads the collateral file(s) in the form the evidence's format needs (Intel pieces given separately are merged;
    /// SEV-SNP takes DER and PEM certificates); unreadable evidence is reported first, as an evidence failure.
    /// </summary>
    private static bool LoadCollateral(
        Evidence evidence, byte[][] files, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Collateral? collateral, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out AttestationFailure? failure) =>
        evidence.Format == EvidenceFormats.Unknown || CollateralLoader.Accepts(evidence.Format)
            ? CollateralLoader.TryLoad(evidence, [.. files.Select(f => (ReadOnlyMemory<byte>)f)], out collateral, out failure)
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

    internal static byte[] ReadCertificate(string path)
    {
        var bytes = ReadBounded(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        var der = !text.Contains("-----BEGIN", StringComparison.Ordinal)
            ? bytes
            : System.Security.Cryptography.PemEncoding.TryFind(text, out var fields) && text[fields.Label] == "CERTIFICATE"
                ? Convert.FromBase64String(text[fields.Base64Data])
                : throw new CliUsageException($"--simulation-ca '{path}' holds no PEM CERTIFICATE");
        try
        {
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
            return certificate.RawData;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new CliUsageException($"--simulation-ca '{path}' is not a certificate: expected a PEM CERTIFICATE or DER X.509 certificate (see secgear platform init)");
        }
    }

    private static readonly string[] TimeFormats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    private static DateTimeOffset ParseTime(string? text)
    {
        if (text is null)
        {
            return DateTimeOffset.UtcNow;
        }

        // One documented form (RFC 3339, docs/attestation.md): date 'T' time, optional fraction, then 'Z' or an offset.
        // No culture-dependent or zone-less forms: a time without a zone would silently mean something else elsewhere.
        return DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new CliUsageException($"--time '{text}' is not an RFC 3339 time: write e.g. 2025-07-04T00:00:00Z or 2025-07-04T08:00:00.5+08:00");
    }
}
