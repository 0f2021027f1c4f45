using System.CommandLine;
using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.CryptoModule;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear crypto key import</c>: verifies the module's enclave against a policy, wraps the key material from a file
/// to the enclave's import key on this machine, and imports it. The material leaves this process only wrapped.
/// </summary>
internal static class CryptoImportCommand
{
    private const long MaxMaterialFileSize = 64 * 1024;

    public static Command Create()
    {
        var spec = new Option<KeySpec>("--spec") { Description = "The key's spec (the material must match it).", Required = true };
        var usage = new Option<KeyUsage>("--usage") { Description = "Sign, Encrypt, Wrap or Mac.", Required = true };
        var keyId = new Option<string>("--id") { Description = "Key id (bound into the wrapping).", Required = true };
        var label = new Option<string?>("--label") { Description = "A label." };
        var (material, policy, simulationCa) = TrustOptions();
        var import = new Command("import", "Import a key wrapped to the module's attested enclave (the host never sees it).") { spec, usage, keyId, label, material, policy, simulationCa };
        CryptoCommand.Set(import, (parse, client, stdout) => WithMaterialAsync(parse, material, policy, simulationCa, async (verifier, loadedPolicy, bytes) =>
        {
            var key = await client.ImportKeyAsync(verifier, loadedPolicy, parse.GetRequiredValue(keyId), parse.GetValue(spec), parse.GetValue(usage), bytes, parse.GetValue(label))
                .ConfigureAwait(false);
            stdout.WriteLine($"imported {key.Id}  {key.Spec}  {key.Usage}  v{key.PrimaryVersion}");
        }));
        return import;
    }

    /// <summary><c>secgear crypto key import-version</c>: outside material becomes an existing key's next primary version.</summary>
    public static Command CreateVersion()
    {
        var keyId = new Option<string>("--id") { Description = "The existing key (its spec and usage apply; the material is wrapped for its primary version + 1).", Required = true };
        var (material, policy, simulationCa) = TrustOptions();
        var import = new Command("import-version", "Rotate a key to material wrapped to the module's attested enclave (older versions stay for decrypt/verify).")
        {
            keyId, material, policy, simulationCa,
        };
        CryptoCommand.Set(import, (parse, client, stdout) => WithMaterialAsync(parse, material, policy, simulationCa, async (verifier, loadedPolicy, bytes) =>
        {
            var key = await client.ImportKeyVersionAsync(verifier, loadedPolicy, parse.GetRequiredValue(keyId), bytes).ConfigureAwait(false);
            stdout.WriteLine($"imported {key.Id}  {key.Spec}  {key.Usage}  v{key.PrimaryVersion}");
        }));
        return import;
    }

    private static (Option<FileInfo> Material, Option<FileInfo> Policy, Option<FileInfo?> SimulationCa) TrustOptions() =>
    (
        new Option<FileInfo>("--material")
        {
            Description = "The key material: a PKCS#8 private key (DER or PEM 'PRIVATE KEY') for EC and RSA; raw bytes for AES, SM4, HMAC and the SM2 private scalar.",
            Required = true,
        },
        new Option<FileInfo>("--policy") { Description = "The JSON attestation policy the module's enclave must satisfy (see docs/attestation.md).", Required = true },
        new Option<FileInfo?>("--simulation-ca") { Description = "Accept simulation evidence certified by this simulated CA certificate (the policy must also allow simulation)." });

    /// <summary>Loads the verifier, the policy and the material, runs <paramref name="import"/>, and wipes the material.</summary>
    private static async Task<int> WithMaterialAsync(
        ParseResult parse, Option<FileInfo> material, Option<FileInfo> policy, Option<FileInfo?> simulationCa,
        Func<AttestationVerifier, AttestationPolicy, byte[], Task> import)
    {
        var verifier = AttestationVerifier.CreateDefault();
        if (parse.GetValue(simulationCa) is { } ca)
        {
            verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(VerifyCommand.ReadCertificate(ca.FullName))));
        }

        var loadedPolicy = AttestationPolicy.FromJson(System.Text.Encoding.UTF8.GetString(
            ServiceCommandAction.ReadBounded(parse.GetRequiredValue(policy), "--policy", 1 << 20)));
        byte[] bytes = Material(ServiceCommandAction.ReadBounded(parse.GetRequiredValue(material), "--material", MaxMaterialFileSize));
        try
        {
            await import(verifier, loadedPolicy, bytes).ConfigureAwait(false);
            return SecGearCli.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>A PEM private key becomes its DER; anything else is taken as it is.</summary>
    private static byte[] Material(byte[] file)
    {
        string text = System.Text.Encoding.ASCII.GetString(file);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return file;
        }

        try
        {
            return PemEncoding.TryFind(text, out var fields) && text[fields.Label] == "PRIVATE KEY"
                ? Convert.FromBase64String(text[fields.Base64Data])
                : throw new CliUsageException("--material holds PEM that is not an unencrypted PKCS#8 'PRIVATE KEY'");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }
}
