using System.Globalization;
using SecGear.Edl;

namespace SecGear.Generator.Tests;

/// <summary>Runs the emitter over every valid file of the EDL compiler's corpus (tests/SecGear.Edl.Tests/Corpus/Valid).</summary>
public class CorpusTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Corpus", "Valid");

    public static IEnumerable<object[]> Files() =>
        Directory.GetFiles(Root, "*.edl").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void Valid_corpus_file_generates_code_that_compiles_cleanly_or_names_what_is_unsupported(string file)
    {
        string path = Path.Combine(Root, file);
        EdlCompilation compilation = EdlCompiler.Compile(path, File.ReadAllText(path), Options(path));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        EdlGenerationResult result = EdlCodeGenerator.Generate(compilation.Contract!, EdlSide.Both, "Corpus.Generated");

        if (result.Files.Count == 0)
        {
            Assert.NotEmpty(result.Diagnostics);
            Assert.All(result.Diagnostics, d => Assert.Contains(d.Id, new[] { "SG1001", "SG1005" }));
        }
        else
        {
            Assert.Empty(result.Diagnostics);
            Assert.Empty(RoslynCompile.Problems(result));
        }
    }

    [Fact]
    public void Most_of_the_corpus_generates_code()
    {
        int generated = 0;
        foreach (string path in Directory.GetFiles(Root, "*.edl"))
        {
            EdlCompilation compilation = EdlCompiler.Compile(path, File.ReadAllText(path), Options(path));
            if (compilation.Contract is not null && EdlCodeGenerator.Generate(compilation.Contract, EdlSide.Both, "Corpus.Generated").Files.Count > 0)
            {
                generated++;
            }
        }

        Assert.True(generated >= 10, $"only {generated} corpus files generated code");
    }

    /// <summary>The corpus files carry their compiler options in a <c>// options:</c> comment.</summary>
    private static EdlCompileOptions Options(string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        var defines = new List<string>();
        var searchPaths = new List<string> { directory };
        var foreign = new Dictionary<string, int>();
        bool library = false;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (!line.StartsWith("// options:", StringComparison.Ordinal))
            {
                continue;
            }

            string[] words = line["// options:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < words.Length; i++)
            {
                switch (words[i])
                {
                    case "-D": defines.Add(words[++i]); break;
                    case "-I": searchPaths.Add(Path.Combine(directory, words[++i])); break;
                    case "-F":
                        string[] kv = words[++i].Split('=');
                        foreign[kv[0]] = int.Parse(kv[1], CultureInfo.InvariantCulture);
                        break;
                    case "--library": library = true; break;
                }
            }
        }

        return new EdlCompileOptions
        {
            Defines = defines,
            SearchPaths = searchPaths,
            ForeignTypeSizes = foreign,
            RequirePublicEcall = !library,
            Files = new DiskFileProvider(),
        };
    }

    private sealed class DiskFileProvider : IEdlFileProvider
    {
        public string? TryRead(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
