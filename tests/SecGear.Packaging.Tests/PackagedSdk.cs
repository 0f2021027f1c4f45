using System.IO.Compression;
using System.Text.RegularExpressions;

namespace SecGear.Packaging.Tests;

/// <summary>
/// Once per test run: `dotnet pack SecGear.slnx -c Release -o FEED` (with a version of its own, so no package cache can
/// hold a stale copy), then `dotnet new install` of the templates and `dotnet tool install` of the CLI from that feed,
/// all in a temporary folder outside the repository. Apps made from it restore from FEED plus the user's usual sources,
/// into a package folder of their own, reading the user's global package folder as a fallback for everything else.
/// </summary>
public sealed partial class PackagedSdk : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, string> _environment;

    public PackagedSdk()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), "secgear-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        if (IsUnder(Root, RepositoryRoot))
        {
            throw new InvalidOperationException($"The temporary folder {Root} is inside the repository {RepositoryRoot}; set TMPDIR elsewhere.");
        }

        Feed = Path.Combine(Root, "feed");
        Apps = Path.Combine(Root, "apps");
        Hive = Path.Combine(Root, "template-hive");
        ToolPath = Path.Combine(Root, "tools");
        Directory.CreateDirectory(Apps);
        _environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        try
        {
            Prepare();
        }
        catch
        {
            // xunit disposes only a fixture it could construct: a failed pack must not leave its tree behind.
            Dispose();
            throw;
        }
    }

    private void Prepare()
    {
        string suffix = "e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        CommandResult pack = DotnetProcess.Run(
            DotnetProcess.Dotnet, RepositoryRoot, _environment, PackTimeout,
            "pack", Path.Combine(RepositoryRoot, "SecGear.slnx"), "-c", "Release", "-o", Feed,
            $"-p:SecGearBuildRoot={Path.Combine(Root, "build")}", $"-p:VersionSuffix={suffix}",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:q");
        Ensure(pack, "dotnet pack SecGear.slnx");
        Version = Path.GetFileNameWithoutExtension(Directory.GetFiles(Feed, "SecGear.Core.*.nupkg").Single())["SecGear.Core.".Length..];

        // Everything after the pack is what a user does: their package cache stays untouched, their sources apply.
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        _environment["NUGET_PACKAGES"] = Path.Combine(Root, "packages");
        _environment["SECGEAR_PLATFORM_SECRET"] = PlatformSecret;
        // MSBuild reads environment variables as properties: the apps' enclaves are signed with a key of this run.
        _environment["SecGearSigningKey"] = Path.Combine(Root, "keys", "dev-signing-key.pem");
        File.WriteAllText(Path.Combine(Apps, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="secgear-local" value="{Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user-packages" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);

        Ensure(RunDotnet(Root, "new", "install", Path.Combine(Feed, $"SecGear.Templates.{Version}.nupkg"), "--debug:custom-hive", Hive), "dotnet new install");
        Ensure(RunDotnet(Apps, "tool", "install", "SecGear.Cli", "--tool-path", ToolPath, "--version", Version), "dotnet tool install SecGear.Cli");
    }

    /// <summary>The checkout that was packed (used only as the input of dotnet pack).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The temporary folder of this run, outside the repository.</summary>
    public string Root { get; }

    public string Feed { get; }

    /// <summary>The version every package of this run has.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>Where apps are created: it holds the nuget.config that adds the feed.</summary>
    public string Apps { get; }

    public string Hive { get; }

    public string ToolPath { get; }

    public string PlatformSecret => Path.Combine(Root, "platform", "platform.secret");

    public CommandResult RunDotnet(string workingDirectory, params string[] arguments) =>
        DotnetProcess.Run(DotnetProcess.Dotnet, workingDirectory, _environment, StepTimeout, arguments);

    /// <summary>Runs the installed `secgear` tool.</summary>
    public CommandResult RunSecgear(params string[] arguments) =>
        DotnetProcess.Run(Path.Combine(ToolPath, "secgear"), Root, _environment, StepTimeout, arguments);

    /// <summary>`dotnet new TEMPLATE -n NAME` into Apps/NAME, from the templates installed from the feed.</summary>
    public string NewFromTemplate(string template, string name)
    {
        string directory = Path.Combine(Apps, name);
        Ensure(RunDotnet(Apps, "new", template, "-n", name, "-o", directory, "--debug:custom-hive", Hive), $"dotnet new {template}");
        return directory;
    }

    /// <summary>Builds a project or solution the way a user would (Debug), without leaving build servers behind.</summary>
    public void Build(string path) =>
        Ensure(RunDotnet(Path.GetDirectoryName(path)!, "build", path, "-nodeReuse:false", "-p:UseSharedCompilation=false"), $"dotnet build {Path.GetFileName(path)}");

    /// <summary>The entries of a package in the feed.</summary>
    public IReadOnlyList<string> Entries(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    /// <summary>A package's nuspec text.</summary>
    public string Nuspec(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
        using var reader = new StreamReader(zip.GetEntry($"{id}.nuspec")!.Open());
        return reader.ReadToEnd();
    }

    public static void Ensure(CommandResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }
    }

    public static bool IsUnder(string path, string directory) =>
        Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The first "measurement: HEX" line of a program's output.</summary>
    public static string Measurement(string output) => MeasurementLine().Match(output) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException($"no measurement line in:\n{output}");

    public void Dispose()
    {
        // Best effort: a process a failed test left running may still hold files; the folder is in the temp directory.
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SecGear.slnx not found above the test directory.");
    }

    [GeneratedRegex("measurement: *([0-9a-f]{64})")]
    private static partial Regex MeasurementLine();
}

/// <summary>One pack per test run, shared by every packaging test.</summary>
[CollectionDefinition(Name)]
public sealed class PackagedSdkCollection : ICollectionFixture<PackagedSdk>
{
    public const string Name = "packaged SDK";
}
