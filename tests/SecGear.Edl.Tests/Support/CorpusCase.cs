using System.Globalization;
using SecGear.Edl;

namespace SecGear.Edl.Tests.Support;

/// <summary>
/// One corpus file and what it must produce. The file itself says so in comments:
/// <c>// options: -D NAME -I dir -F type=size --library</c> and one <c>// expect: SGnnnn line:col [file]</c> per
/// diagnostic. Expectations are exact: every diagnostic the compiler reports must be listed, and nothing more.
/// </summary>
public sealed class CorpusCase
{
    private CorpusCase(string relativePath)
    {
        RelativePath = relativePath;
    }

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Corpus");

    public string RelativePath { get; }

    public string FullPath => Path.Combine(Root, RelativePath);

    public string Text { get; private set; } = "";

    public EdlCompileOptions Options { get; private set; } = new();

    public List<string> Expected { get; } = [];

    public static IEnumerable<object[]> In(string folder) =>
        Directory.GetFiles(Path.Combine(Root, folder), "*.edl")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.Combine(folder, Path.GetFileName(f)) });

    public static CorpusCase Load(string relativePath)
    {
        var c = new CorpusCase(relativePath);
        c.Text = File.ReadAllText(c.FullPath);
        var defines = new List<string>();
        var searchPaths = new List<string> { Path.GetDirectoryName(c.FullPath)! };
        var foreign = new Dictionary<string, int>();
        bool library = false;
        foreach (string raw in c.Text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("// options:", StringComparison.Ordinal))
            {
                string[] words = line["// options:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                for (int i = 0; i < words.Length; i++)
                {
                    switch (words[i])
                    {
                        case "-D": defines.Add(words[++i]); break;
                        case "-I": searchPaths.Add(Path.Combine(Path.GetDirectoryName(c.FullPath)!, words[++i])); break;
                        case "-F":
                            string[] kv = words[++i].Split('=');
                            foreign[kv[0]] = int.Parse(kv[1], CultureInfo.InvariantCulture);
                            break;
                        case "--library": library = true; break;
                        default: throw new InvalidDataException("unknown corpus option " + words[i]);
                    }
                }
            }
            else if (line.StartsWith("// expect:", StringComparison.Ordinal))
            {
                c.Expected.Add(line["// expect:".Length..].Trim());
            }
        }

        c.Options = new EdlCompileOptions
        {
            Defines = defines,
            SearchPaths = searchPaths,
            ForeignTypeSizes = foreign,
            RequirePublicEcall = !library,
            Files = new DirectoryFileProvider(),
        };
        return c;
    }

    public EdlCompilation Compile() => EdlCompiler.Compile(FullPath, Text, Options);

    /// <summary>Describes a diagnostic the way <c>// expect:</c> lines do.</summary>
    public string Describe(EdlDiagnostic d)
    {
        string where = d.Location.Line.ToString(CultureInfo.InvariantCulture) + ":" + d.Location.Column.ToString(CultureInfo.InvariantCulture);
        string file = d.Location.File == FullPath ? "" : " " + Path.GetRelativePath(Path.GetDirectoryName(FullPath)!, d.Location.File);
        return d.Id + " " + where + file;
    }

    public override string ToString() => RelativePath;
}
