namespace SecGear.Packaging.Tests;

/// <summary>What `dotnet pack SecGear.slnx` puts in the feed: the shipped packages and nothing else, each complete.</summary>
[Collection(PackagedSdkCollection.Name)]
public sealed class PackageContentTests(PackagedSdk sdk)
{
    private static readonly string[] Libraries =
    [
        "SecGear.Core", "SecGear.Trusted", "SecGear.ConfidentialVm", "SecGear.Host", "SecGear.Edl", "SecGear.Attestation", "SecGear.RaTls",
        "SecGear.SecureChannel", "SecGear.AttestationService.Contracts", "SecGear.AttestationService.Client",
        "SecGear.CryptoModule.Contracts", "SecGear.CryptoModule.Client", "SecGear.EncryptedDb", "SecGear.EncryptedDb.Client",
    ];

    private static readonly string[] Others = ["SecGear.Generator", "SecGear.Build", "SecGear.Cli", "SecGear.Templates"];

    [Fact]
    public void The_feed_holds_exactly_the_shipped_packages_with_one_version()
    {
        string[] packages = [.. Directory.GetFiles(sdk.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        Assert.Equal([.. Libraries.Concat(Others).Select(id => $"{id}.{sdk.Version}.nupkg").Order(StringComparer.Ordinal)], packages);
    }

    [Fact]
    public void Every_package_has_a_readme_a_licence_expression_and_libraries_have_symbol_packages()
    {
        foreach (string id in Libraries.Concat(Others))
        {
            string nuspec = sdk.Nuspec(id);
            Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
            Assert.Contains("<license type=\"expression\">", nuspec, StringComparison.Ordinal);
            Assert.Contains("<description>", nuspec, StringComparison.Ordinal);
            Assert.Contains("README.md", sdk.Entries(id));
        }

        foreach (string id in Libraries)
        {
            Assert.True(File.Exists(Path.Combine(sdk.Feed, $"{id}.{sdk.Version}.snupkg")), $"{id} has no symbol package");
            Assert.Contains($"lib/net{(id == "SecGear.Edl" ? "standard2.0" : "10.0")}/{id}.dll", sdk.Entries(id));
        }
    }

    [Fact]
    public void Trusted_and_Host_bring_the_build_integration_with_all_its_assets_and_it_brings_the_generator()
    {
        Assert.Contains($"<dependency id=\"SecGear.Build\" version=\"{sdk.Version}\" include=\"All\" />", sdk.Nuspec("SecGear.Trusted"), StringComparison.Ordinal);
        Assert.Contains($"<dependency id=\"SecGear.Build\" version=\"{sdk.Version}\" include=\"All\" />", sdk.Nuspec("SecGear.Host"), StringComparison.Ordinal);
        Assert.Contains($"<dependency id=\"SecGear.Generator\" version=\"{sdk.Version}\" include=\"All\" />", sdk.Nuspec("SecGear.Build"), StringComparison.Ordinal);

        IReadOnlyList<string> generator = sdk.Entries("SecGear.Generator");
        Assert.Contains("analyzers/dotnet/cs/SecGear.Generator.dll", generator);
        Assert.Contains("analyzers/dotnet/cs/SecGear.Edl.dll", generator);
        Assert.Contains("analyzers/dotnet/cs/SecGear.Analyzers.dll", generator);
        Assert.Contains("buildTransitive/SecGear.Generator.props", generator);
        Assert.DoesNotContain(generator, e => e.StartsWith("lib/", StringComparison.Ordinal));

        IReadOnlyList<string> build = sdk.Entries("SecGear.Build");
        Assert.Contains("buildTransitive/SecGear.Build.targets", build);
        Assert.Contains("build/SecGear.Enclave.targets", build);
        Assert.Contains("tools/signer/secgear.dll", build);
    }

    [Fact]
    public void Host_ships_the_simulation_runner_and_the_targets_that_deploy_it()
    {
        IReadOnlyList<string> host = sdk.Entries("SecGear.Host");

        Assert.Contains("buildTransitive/SecGear.Host.targets", host);
        Assert.Contains("secgear-runner/SecGear.Runner.dll", host);
        Assert.Contains("secgear-runner/SecGear.Runner.runtimeconfig.json", host);
        Assert.Contains("secgear-runner/SecGear.Runner.deps.json", host);
        Assert.Contains("secgear-runner/SecGear.Trusted.dll", host);
    }

    [Fact]
    public void The_cli_is_a_dotnet_tool_named_secgear_with_its_runner()
    {
        IReadOnlyList<string> cli = sdk.Entries("SecGear.Cli");

        Assert.Contains("<packageType name=\"DotnetTool\" />", sdk.Nuspec("SecGear.Cli"), StringComparison.Ordinal);
        Assert.Contains("tools/net10.0/any/secgear.dll", cli);
        Assert.Contains("tools/net10.0/any/secgear-runner/SecGear.Runner.dll", cli);
        Assert.True(File.Exists(Path.Combine(sdk.ToolPath, "secgear")), "dotnet tool install put no secgear command in the tool path");
    }
}
