using System.Text.Json;

namespace SecGear.Packaging.Tests;

/// <summary>
/// The flow a new user follows, from the feed only: create an app from the templates outside the repository, build it,
/// run it on the simulation and in-process engines, run its tests, then attest its image and verify the evidence with
/// the installed `secgear` tool.
/// </summary>
[Collection(PackagedSdkCollection.Name)]
public sealed class TemplateAppTests(PackagedSdk sdk)
{
    private const string Nonce = "5365634765617220652e652074657374206e6f6e6365";

    [Fact]
    public void An_app_from_the_template_builds_runs_on_both_engines_and_its_evidence_verifies()
    {
        string app = sdk.NewFromTemplate("secgear-app", "Demo");
        sdk.Build(Path.Combine(app, "Demo.slnx"));
        string output = Path.Combine(app, "Demo.Host", "bin", "Debug", "net10.0");
        string image = Path.Combine(output, "Demo.Enclave.sgimage");
        Assert.True(File.Exists(image), "the host's build put no enclave image next to it");
        Assert.True(File.Exists(Path.Combine(output, "secgear-runner", "SecGear.Runner.dll")), "SecGear.Host deployed no runner");

        CommandResult simulation = sdk.RunDotnet(app, Path.Combine(output, "Demo.Host.dll"));
        Assert.True(simulation.ExitCode == 0, simulation.ToString());
        Assert.Contains("engine:      simulation", simulation.Output, StringComparison.Ordinal);
        Assert.Contains("greeting:    Hello, world! (from the enclave)", simulation.Output, StringComparison.Ordinal);
        Assert.Contains("enclave: greeting 'world' from 'Demo.Enclave'", simulation.Output, StringComparison.Ordinal);
        Assert.Contains("sealed:      unsealed to the original secret", simulation.Output, StringComparison.Ordinal);

        CommandResult inProcess = sdk.RunDotnet(app, Path.Combine(output, "Demo.Host.dll"), "inprocess");
        Assert.True(inProcess.ExitCode == 0, inProcess.ToString());
        Assert.DoesNotContain("engine:      simulation", inProcess.Output, StringComparison.Ordinal);
        Assert.Contains("greeting:    Hello, world! (from the enclave)", inProcess.Output, StringComparison.Ordinal);

        CommandResult tests = sdk.RunDotnet(app, "test", Path.Combine(app, "Demo.Tests"), "--no-build");
        Assert.True(tests.ExitCode == 0, tests.ToString());

        string measurement = PackagedSdk.Measurement(simulation.Output);
        string evidence = Path.Combine(sdk.Root, "demo-evidence.bin");
        CommandResult attest = sdk.RunSecgear("attest", "--enclave", image, "--report-data", Nonce, "--out", evidence);
        Assert.True(attest.ExitCode == 0, attest.ToString());
        Assert.Equal(measurement, PackagedSdk.Measurement(attest.Output));

        CommandResult verified = Verify(evidence, measurement);
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains("verified:", verified.Output, StringComparison.Ordinal);
        Assert.Contains(measurement, verified.Output, StringComparison.Ordinal);

        CommandResult otherEnclave = Verify(evidence, new string('0', 64));
        Assert.True(otherEnclave.ExitCode == 1, otherEnclave.ToString());

        AssertNoRepositoryPath(app);
    }

    [Fact]
    public void An_enclave_library_and_an_attested_client_from_the_templates_build_and_the_client_trusts_only_fresh_evidence()
    {
        string enclave = sdk.NewFromTemplate("secgear-enclave", "Vault");
        string client = sdk.NewFromTemplate("secgear-client", "Checker");
        sdk.Build(Path.Combine(enclave, "Vault.csproj"));
        sdk.Build(Path.Combine(client, "Checker.csproj"));
        string image = Path.Combine(enclave, "bin", "Debug", "net10.0", "Vault.sgimage");
        string checker = Path.Combine(client, "bin", "Debug", "net10.0", "Checker.dll");

        CommandResult nonce = sdk.RunDotnet(client, checker, "nonce");
        Assert.True(nonce.ExitCode == 0, nonce.ToString());
        string fresh = nonce.Output.Trim();
        Assert.Matches("^[0-9a-f]{64}$", fresh);

        string evidence = Path.Combine(sdk.Root, "vault-evidence.bin");
        CommandResult attest = sdk.RunSecgear("attest", "--enclave", image, "--report-data", fresh, "--out", evidence);
        Assert.True(attest.ExitCode == 0, attest.ToString());
        string measurement = PackagedSdk.Measurement(attest.Output);
        string ca = sdk.PlatformSecret + ".attestation-ca.pem";

        CommandResult trusted = sdk.RunDotnet(client, checker, "verify", evidence, ca, measurement, fresh);
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Contains($"trusted: ", trusted.Output, StringComparison.Ordinal);

        CommandResult replayed = sdk.RunDotnet(client, checker, "verify", evidence, ca, measurement, new string('1', 64));
        Assert.True(replayed.ExitCode == 1, replayed.ToString());
        Assert.Contains("not trusted", replayed.Error, StringComparison.Ordinal);

        AssertNoRepositoryPath(enclave);
        AssertNoRepositoryPath(client);
    }

    private CommandResult Verify(string evidence, string measurement)
    {
        string policy = Path.Combine(sdk.Root, $"policy-{measurement[..8]}.json");
        File.WriteAllText(policy, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["allowSimulation"] = true,
            ["allowedUniqueIds"] = new[] { measurement },
            ["expectedHostReportData"] = Nonce,
        }));
        return sdk.RunSecgear("verify", "--evidence", evidence, "--simulation-ca", sdk.PlatformSecret + ".attestation-ca.pem", "--policy", policy);
    }

    /// <summary>Nothing the app's build wrote or read names the repository: it was built from packages alone.</summary>
    private void AssertNoRepositoryPath(string directory)
    {
        string[] textFiles = [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".csproj" or ".props" or ".targets" or ".json" or ".config" or ".slnx" or ".cs" or ".edl" or ".cache" or ".txt")];
        Assert.NotEmpty(textFiles);
        foreach (string file in textFiles)
        {
            Assert.False(File.ReadAllText(file).Contains(sdk.RepositoryRoot, StringComparison.Ordinal), $"{file} names the repository {sdk.RepositoryRoot}");
        }
    }
}
