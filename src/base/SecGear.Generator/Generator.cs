using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Turns the <c>.edl</c> files of a project (MSBuild <c>AdditionalFiles</c>) into C#: host proxies, enclave
/// dispatchers, contract descriptors and EDL types. Import it through <c>build/SecGear.Edl.props</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class EdlSourceGenerator : IIncrementalGenerator
{
    private const string Metadata = "build_metadata.AdditionalFiles.";
    private const string Property = "build_property.";

    /// <summary>Tracking name of the step that reads each EDL file and its options.</summary>
    internal const string InputStep = "SecGearEdlInput";

    /// <summary>Tracking name of the step that compiles and emits each EDL file.</summary>
    internal const string OutputStep = "SecGearEdlOutput";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<AdditionalText> edl = context.AdditionalTextsProvider
            .Where(static t => t.Path.EndsWith(".edl", StringComparison.OrdinalIgnoreCase));

        // Every EDL text, for imports. Compared by value: a C# edit leaves it (and everything below) cached.
        IncrementalValueProvider<EquatableArray<EdlSource>> sources = edl
            .Select(static (t, ct) => new EdlSource(PathText.Normalize(t.Path), t.GetText(ct)?.ToString() ?? string.Empty))
            .Collect()
            .Select(static (all, _) => new EquatableArray<EdlSource>(all));

        IncrementalValuesProvider<EdlFileInput> inputs = edl
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => ReadInput(pair.Left, pair.Right, ct))
            .WithTrackingName(InputStep);

        IncrementalValueProvider<ImmutableArray<EdlFileOutput>> outputs = inputs
            .Combine(sources)
            .Select(static (pair, ct) => Run(pair.Left, pair.Right, ct))
            .WithTrackingName(OutputStep)
            .Collect();

        context.RegisterSourceOutput(outputs, static (spc, all) => Emit(spc, all));
    }

    private static EdlFileInput ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken ct)
    {
        AnalyzerConfigOptions fileOptions = options.GetOptions(file);
        AnalyzerConfigOptions global = options.GlobalOptions;
        string side = Get(fileOptions, Metadata + "SecGearSide");
        if (side.Length == 0)
        {
            side = Get(global, Property + "SecGearEdlSide");
        }

        string ns = Get(fileOptions, Metadata + "SecGearNamespace");
        if (ns.Length == 0)
        {
            ns = Get(global, Property + "RootNamespace");
        }

        return new EdlFileInput(
            PathText.Normalize(file.Path),
            file.GetText(ct)?.ToString() ?? string.Empty,
            side,
            ns,
            Get(global, Property + "SecGearEdlSearchPaths"),
            Get(global, Property + "SecGearEdlDefines"),
            Get(global, Property + "SecGearEdlForeignTypes"),
            Get(global, Property + "MSBuildProjectDirectory"));
    }

    private static string Get(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out string? value) && value != null ? value.Trim() : string.Empty;

    /// <summary>Compiles one EDL file and emits its C#; never throws (failures become diagnostics).</summary>
    internal static EdlFileOutput Run(EdlFileInput input, EquatableArray<EdlSource> sources, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var files = new List<GeneratedSourceFile>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (EdlSource s in sources)
        {
            texts[s.Path] = s.Text;
        }

        texts[input.Path] = input.Text;
        string key = input.Namespace + "." + Naming.Pascal(PathText.Stem(input.Path));

        EdlSide side;
        if (!TryParseSide(input.Side, out side))
        {
            diagnostics.Add(Info(DiagnosticIds.InvalidSide, true, "SecGearSide/SecGearEdlSide is '" + input.Side + "'; use Host, Enclave, Both or None.", input.Path, 1, 1, texts));
            return Output(key, input.Path, files, diagnostics);
        }

        if (side == EdlSide.None)
        {
            return Output(key, input.Path, files, diagnostics);
        }

        try
        {
            ct.ThrowIfCancellationRequested();
            EdlCompilation compilation = EdlCompiler.Compile(input.Path, input.Text, Options(input, sources));
            foreach (EdlDiagnostic d in compilation.Diagnostics)
            {
                diagnostics.Add(Info(d, texts));
            }

            if (compilation.Contract == null || compilation.HasErrors)
            {
                return Output(key, input.Path, files, diagnostics);
            }

            EdlContract contract = compilation.Contract;
            EdlGenerationResult result = EdlCodeGenerator.Generate(contract, side, input.Namespace);
            foreach (EdlDiagnostic d in result.Diagnostics)
            {
                diagnostics.Add(Info(d, texts));
            }

            foreach (GeneratedSourceFile f in result.Files)
            {
                files.Add(new GeneratedSourceFile(input.Namespace + "." + f.HintName, f.SourceText));
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug in the EDL compiler or emitter must not crash the build; report it on the file.
            diagnostics.Add(Info(DiagnosticIds.InternalError, true, "Generating C# from '" + input.Path + "' failed: " + e.GetType().Name + ": " + e.Message, input.Path, 1, 1, texts));
            files.Clear();
        }

        return Output(key, input.Path, files, diagnostics);
    }

    private static EdlCompileOptions Options(EdlFileInput input, EquatableArray<EdlSource> sources)
    {
        var searchPaths = new List<string>();
        foreach (string raw in input.SearchPaths.Split(';'))
        {
            string path = raw.Trim();
            if (path.Length > 0)
            {
                searchPaths.Add(PathText.Combine(input.ProjectDirectory, path));
            }
        }

        // Then the importing file's own directory and the project directory (MSBuild has no working directory to offer).
        searchPaths.Add(PathText.Directory(input.Path));
        if (input.ProjectDirectory.Length > 0)
        {
            searchPaths.Add(PathText.Normalize(input.ProjectDirectory));
        }

        var defines = new List<string>();
        foreach (string raw in input.Defines.Split(';', ','))
        {
            string name = raw.Trim();
            if (name.Length > 0)
            {
                defines.Add(name);
            }
        }

        // "sgx_report_t=432;handle_t=8": sizes of foreign types, which C# cannot take from a C header.
        var foreign = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string raw in input.ForeignTypes.Split(';', ','))
        {
            string[] pair = raw.Split('=');
            if (pair.Length == 2 && int.TryParse(pair[1].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size) && pair[0].Trim().Length > 0)
            {
                foreign[pair[0].Trim()] = size;
            }
        }

        return new EdlCompileOptions
        {
            SearchPaths = searchPaths.ToArray(),
            Defines = defines.ToArray(),
            ForeignTypeSizes = foreign,
            Files = new AdditionalTextFileProvider(sources),
        };
    }

    internal static bool TryParseSide(string value, out EdlSide side)
    {
        switch (value.ToUpperInvariant())
        {
            case "":
            case "BOTH":
                side = EdlSide.Both;
                return true;
            case "HOST":
                side = EdlSide.Host;
                return true;
            case "ENCLAVE":
                side = EdlSide.Enclave;
                return true;
            case "NONE":
                side = EdlSide.None;
                return true;
            default:
                side = EdlSide.None;
                return false;
        }
    }

    private static EdlFileOutput Output(string key, string path, List<GeneratedSourceFile> files, List<DiagnosticInfo> diagnostics) =>
        new EdlFileOutput(key, path, new EquatableArray<GeneratedSourceFile>(files.ToArray()), new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

    private static DiagnosticInfo Info(EdlDiagnostic d, Dictionary<string, string> texts) =>
        Info(d.Id, d.Severity == EdlSeverity.Error, d.Message, PathText.Normalize(d.Location.File), d.Location.Line, d.Location.Column, texts);

    private static DiagnosticInfo Info(string id, bool isError, string message, string file, int line, int column, Dictionary<string, string> texts)
    {
        int offset = 0;
        if (texts.TryGetValue(file, out string? text))
        {
            offset = Offset(text, line, column);
        }

        return new DiagnosticInfo(id, isError, message, file, Math.Max(line, 1), Math.Max(column, 1), offset);
    }

    private static int Offset(string text, int line, int column)
    {
        int offset = 0;
        for (int l = 1; l < line && offset < text.Length; l++)
        {
            int newline = text.IndexOf('\n', offset);
            if (newline < 0)
            {
                return text.Length;
            }

            offset = newline + 1;
        }

        return Math.Min(text.Length, offset + Math.Max(column - 1, 0));
    }

    private static void Emit(SourceProductionContext context, ImmutableArray<EdlFileOutput> outputs)
    {
        var contracts = new HashSet<string>(StringComparer.Ordinal);
        var added = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (EdlFileOutput output in outputs)
        {
            foreach (DiagnosticInfo d in output.Diagnostics)
            {
                context.ReportDiagnostic(ToDiagnostic(d));
            }

            if (output.Files.Count == 0)
            {
                continue;
            }

            if (!contracts.Add(output.ContractKey))
            {
                context.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo(DiagnosticIds.DuplicateContract, true, "Contract '" + output.ContractKey + "' is generated by two EDL files; rename one or give it another SecGearNamespace.", output.Path, 1, 1, 0)));
                continue;
            }

            foreach (GeneratedSourceFile f in output.Files)
            {
                if (added.TryGetValue(f.HintName, out string? existing))
                {
                    // EDL types shared through imports come out identical from every contract: emit them once.
                    if (existing != f.SourceText)
                    {
                        context.ReportDiagnostic(ToDiagnostic(new DiagnosticInfo(DiagnosticIds.NameCollision, true, "Two contracts define EDL type '" + f.HintName.Replace(".EdlType.g.cs", string.Empty) + "' differently in the same namespace.", output.Path, 1, 1, 0)));
                    }

                    continue;
                }

                added[f.HintName] = f.SourceText;
                context.AddSource(f.HintName, SourceText.From(f.SourceText, System.Text.Encoding.UTF8));
            }
        }
    }

    private static Diagnostic ToDiagnostic(DiagnosticInfo d)
    {
        var position = new LinePosition(d.Line - 1, d.Column - 1);
        Location location = Location.Create(d.File, new TextSpan(d.Offset, 0), new LinePositionSpan(position, position));
        return Diagnostic.Create(DiagnosticDescriptors.For(d.Id, d.IsError), location, d.Message);
    }
}
