using System.CommandLine;
using SecGear.Edl;
using SecGear.Generator;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear edl check|gen</c>: the EDL compiler and the C# emitter for users outside MSBuild. Diagnostics are printed in
/// the MSBuild form <c>file(line,col): error SGnnnn: message</c>; any error gives exit code 1.
/// </summary>
internal static class EdlCommand
{
    public static Command Create()
    {
        var command = new Command("edl", "Check EDL files and generate C# from them.");
        command.Add(CreateCheck());
        command.Add(CreateGen());
        return command;
    }

    private static Command CreateCheck()
    {
        var file = new Argument<FileInfo>("file") { Description = "The root EDL file." };
        var switches = new EdlCompileSwitches();
        var command = new Command("check", "Parse and check an EDL file (and its imports); print diagnostics.") { file };
        switches.AddTo(command);
        CliAction.Set(command, (parse, stdout) =>
        {
            var compilation = Compile(parse.GetRequiredValue(file), switches.ToOptions(parse));
            Print(compilation.Diagnostics, parse.InvocationConfiguration.Error);
            if (compilation.HasErrors)
            {
                return SecGearCli.Failure;
            }

            var contract = compilation.Contract;
            stdout.WriteLine($"{contract.Name}: {contract.Trusted.Count} ECALLs, {contract.Untrusted.Count} OCALLs, " +
                             $"{contract.Structs.Count} structs/unions, {contract.Enums.Count} enums; no errors");
            return SecGearCli.Success;
        });
        return command;
    }

    private static Command CreateGen()
    {
        var file = new Argument<FileInfo>("file") { Description = "The root EDL file." };
        var switches = new EdlCompileSwitches();
        var side = new Option<string>("--side") { Description = "Which side to generate: host, enclave or both.", Required = true };
        side.AcceptOnlyFromAmong("host", "enclave", "both");
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory the .cs files are written to (created if absent).", Required = true };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated types (default: the contract name in PascalCase).", };
        var command = new Command("gen", "Generate the C# host and/or enclave code for an EDL file.") { file, side, output, ns };
        switches.AddTo(command);
        CliAction.Set(command, (parse, stdout) =>
        {
            var compilation = Compile(parse.GetRequiredValue(file), switches.ToOptions(parse));
            var error = parse.InvocationConfiguration.Error;
            Print(compilation.Diagnostics, error);
            if (compilation.HasErrors)
            {
                return SecGearCli.Failure;
            }

            var contract = compilation.Contract;
            EdlSide which = parse.GetRequiredValue(side) switch
            {
                "host" => EdlSide.Host,
                "enclave" => EdlSide.Enclave,
                _ => EdlSide.Both,
            };
            string namespaceName = parse.GetValue(ns) ?? EdlCodeGenerator.DefaultNamespace(contract);
            var result = EdlCodeGenerator.Generate(contract, which, namespaceName);
            Print(result.Diagnostics, error);
            if (result.Diagnostics.Any(d => d.Severity == EdlSeverity.Error))
            {
                return SecGearCli.Failure;
            }

            var directory = parse.GetRequiredValue(output);
            directory.Create();
            foreach (var generated in result.Files)
            {
                string target = Path.Combine(directory.FullName, Path.GetFileName(generated.HintName));
                File.WriteAllText(target, generated.SourceText);
                stdout.WriteLine(target);
            }

            return SecGearCli.Success;
        });
        return command;
    }

    private static EdlCompilation Compile(FileInfo file, EdlCompileOptions options)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"EDL file '{file.FullName}' does not exist.");
        }

        return EdlCompiler.Compile(file.FullName, File.ReadAllText(file.FullName), options);
    }

    private static void Print(IReadOnlyList<EdlDiagnostic> diagnostics, TextWriter error)
    {
        foreach (var diagnostic in diagnostics)
        {
            error.WriteLine(diagnostic.ToString());
        }
    }
}
