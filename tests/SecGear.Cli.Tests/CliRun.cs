using SecGear.Cli;

namespace SecGear.Cli.Tests;

/// <summary>Runs the CLI in-process inside a private temporary directory.</summary>
internal sealed class CliRun : IDisposable
{
    public CliRun()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "secgear-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    public (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SecGearCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public string Ok(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, $"exit {code}: {error}");
        return output;
    }

    /// <summary>A directory with an entry assembly and a dependency, plus a manifest naming them.</summary>
    public (string Input, string Manifest) Enclave()
    {
        var input = Path("in");
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(input, "lib"));
        File.WriteAllText(System.IO.Path.Combine(input, "Hello.Enclave.dll"), "entry assembly bytes");
        File.WriteAllText(System.IO.Path.Combine(input, "lib", "Dep.dll"), "dependency bytes");
        var manifest = Path("manifest.json");
        File.WriteAllText(manifest, """{ "name": "hello", "productId": 3, "securityVersion": 5, "debug": true, "maxThreads": 2, "heapLimit": 1048576, "entryAssembly": "Hello.Enclave.dll" }""");
        return (input, manifest);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
