using System.Text;
using System.Text.RegularExpressions;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

/// <summary>
/// Random and mutated EDL: the compiler never throws, never hangs, never reports an internal error, and always
/// returns either a contract (no errors) or diagnostics with sane locations. Seeds are fixed so failures reproduce.
/// </summary>
public sealed partial class FuzzTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static readonly string[] Vocabulary =
    [
        "enclave", "trusted", "untrusted", "public", "include", "from", "import", "allow", "propagate_errno",
        "transition_using_threads", "const", "struct", "union", "enum", "void", "char", "short", "int", "long", "unsigned",
        "float", "double", "size_t", "wchar_t", "int8_t", "uint32_t", "uint64_t", "bool", "signed", "in", "out", "size",
        "count", "string", "wstring", "user_check", "isptr", "isary", "readonly", "sizefunc", "cdecl", "dllimport",
        "{", "}", "(", ")", "[", "]", "*", ",", ";", "=", "#", "#ifdef", "#ifndef", "#else", "#endif", "#define", "-", ".",
        "0", "1", "8", "010", "0x1F", "99999999999999999999", "\"x.edl\"", "\"a.h\"", "\"unterminated", "/*", "*/", "//",
        "f", "g", "n", "len", "p", "s", "X", "buf_t", "\n", "\t", "@", "\u00e9",
    ];

    [GeneratedRegex(@"^.*\(\d+,\d+\): (error|warning) SG\d{4}: .+$", RegexOptions.Singleline)]
    private static partial Regex CanonicalForm();

    [Fact]
    public void Random_token_soup_never_throws_hangs_or_reports_an_internal_error()
    {
        for (int seed = 0; seed < 1500; seed++)
        {
            var random = new Random(seed);
            var sb = new StringBuilder();
            int n = random.Next(0, 120);
            for (int i = 0; i < n; i++)
            {
                sb.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(random.Next(4) == 0 ? "" : " ");
            }

            AssertWellBehaved(sb.ToString(), "soup seed " + seed);
        }
    }

    [Fact]
    public void Random_characters_never_throw_or_hang()
    {
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            char[] chars = new char[random.Next(0, 400)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)random.Next(0, random.Next(2) == 0 ? 128 : 0xD800);
            }

            AssertWellBehaved(new string(chars), "chars seed " + seed);
        }
    }

    [Fact]
    public void Mutated_corpus_files_never_throw_or_hang()
    {
        string[] files = Directory.GetFiles(Path.Combine(CorpusCase.Root, "Valid"), "*.edl").Order(StringComparer.Ordinal).ToArray();
        int seed = 0;
        foreach (string file in files)
        {
            string original = File.ReadAllText(file);
            for (int m = 0; m < 80; m++, seed++)
            {
                var random = new Random(seed);
                string mutated = Mutate(original, random, 1 + random.Next(4));
                AssertWellBehaved(mutated, Path.GetFileName(file) + " mutation seed " + seed, Path.GetDirectoryName(file)!);
            }
        }
    }

    [Fact]
    public void Generated_functions_with_random_attribute_sets_are_checked_deterministically()
    {
        string[] types = ["int", "char", "size_t", "void", "uint8_t", "double", "wchar_t", "struct s", "struct d", "s", "d", "buf_t", "enum e", "union u", "bool", "long"];
        string[] attrs = ["in", "out", "user_check", "string", "wstring", "isptr", "isary", "readonly", "size=4", "size=n", "count=n", "count=m", "size=x", "count=p0"];
        for (int seed = 0; seed < 1500; seed++)
        {
            var random = new Random(seed);
            var sb = new StringBuilder("enclave { struct s { int a; }; struct d { size_t n; [count=n] int* v; }; enum e { E1 }; union u { int i; };\n trusted {\n");
            int functions = random.Next(1, 4);
            for (int f = 0; f < functions; f++)
            {
                sb.Append(random.Next(3) == 0 ? "" : "public ").Append(types[random.Next(types.Length)]).Append(random.Next(4) == 0 ? "*" : "").Append(" f").Append(f).Append('(');
                int parameters = random.Next(0, 4);
                for (int p = 0; p < parameters; p++)
                {
                    if (p > 0)
                    {
                        sb.Append(", ");
                    }

                    int count = random.Next(0, 4);
                    if (count > 0)
                    {
                        sb.Append('[').Append(string.Join(", ", Enumerable.Range(0, count).Select(_ => attrs[random.Next(attrs.Length)]))).Append("] ");
                    }

                    sb.Append(random.Next(5) == 0 ? "const " : "").Append(types[random.Next(types.Length)]).Append(new string('*', random.Next(0, 3))).Append(" p").Append(p);
                    if (random.Next(6) == 0)
                    {
                        sb.Append('[').Append(random.Next(0, 5)).Append(']');
                    }
                }

                sb.Append(random.Next(3) == 0 ? ", size_t n" : "").Append(");\n");
            }

            sb.Append("}; untrusted { void o() allow(f0); }; };");
            string text = sb.ToString();
            EdlCompilation first = AssertWellBehaved(text, "generated seed " + seed);
            EdlCompilation second = EdlCompiler.Compile("fuzz.edl", text, new EdlCompileOptions { Files = new DirectoryFileProvider() });

            Assert.Equal(first.Diagnostics.Select(d => d.ToString()), second.Diagnostics.Select(d => d.ToString()));
        }
    }

    private static string Mutate(string text, Random random, int times)
    {
        var sb = new StringBuilder(text);
        for (int i = 0; i < times && sb.Length > 0; i++)
        {
            int at = random.Next(sb.Length);
            int len = Math.Min(sb.Length - at, random.Next(1, 12));
            switch (random.Next(5))
            {
                case 0:
                    sb.Remove(at, len);
                    break;
                case 1:
                    sb.Insert(at, Vocabulary[random.Next(Vocabulary.Length)]);
                    break;
                case 2:
                    sb.Insert(at, sb.ToString(at, len));
                    break;
                case 3:
                    sb[at] = (char)random.Next(32, 127);
                    break;
                default:
                    sb.Length = at;
                    break;
            }
        }

        return sb.ToString();
    }

    private static EdlCompilation AssertWellBehaved(string text, string label, string? searchPath = null)
    {
        var options = new EdlCompileOptions
        {
            Files = new DirectoryFileProvider(),
            SearchPaths = searchPath == null ? [] : [searchPath],
        };
        Task<EdlCompilation> run = Task.Run(() => EdlCompiler.Compile("fuzz.edl", text, options));
        Assert.True(run.Wait(Guard), label + ": compile did not finish within " + Guard);
        EdlCompilation result = run.Result;

        Assert.True(result.Contract == null == result.HasErrors, label + ": contract must exist exactly when there is no error");
        foreach (EdlDiagnostic d in result.Diagnostics)
        {
            Assert.True(d.Id != "SG0999", label + ": internal error " + d.Message + "\n--- input ---\n" + text);
            Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1, label + ": bad location " + d);
            Assert.Matches(CanonicalForm(), d.ToString());
        }

        return result;
    }
}
