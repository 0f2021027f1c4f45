using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SecGear.Edl;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Syntax;

namespace SecGear.Benchmarks;

/// <summary>
/// Parsing and checking a generated 2,000-function EDL (issue 2: "well under a second"), against two floors measured
/// in the same run: the EDL lexer alone, and one pass over the characters. The Ratio column is compile time divided by
/// lexing time.
/// </summary>
[MemoryDiagnoser]
public class EdlCompileBenchmarks
{
    private string text = "";

    /// <summary>Number of functions in the generated EDL (ECALLs and OCALLs, half each).</summary>
    [Params(2000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        text = Generate(Functions);
        EdlCompilation check = EdlCompiler.Compile("bench.edl", text);
        if (check.HasErrors || check.Contract!.Trusted.Count + check.Contract.Untrusted.Count != Functions)
        {
            throw new InvalidOperationException("generated EDL does not compile: " + string.Join("\n", check.Diagnostics.Take(5)));
        }
    }

    /// <summary>Floor: touch every character once (what any reader must do).</summary>
    [Benchmark]
    public int ScanCharacters()
    {
        int separators = 0;
        foreach (char c in text)
        {
            if (c == ';')
            {
                separators++;
            }
        }

        return separators;
    }

    /// <summary>Floor: the EDL lexer alone.</summary>
    [Benchmark(Baseline = true)]
    public int Tokenize() => Lexer.Tokenize("bench.edl", text, new DiagnosticBag()).Count;

    /// <summary>Lex, preprocess, parse, check, number and build the contract.</summary>
    [Benchmark]
    public int Compile() => EdlCompiler.Compile("bench.edl", text).Contract!.Trusted.Count;

    /// <summary>Compile plus the canonical form the contract hash is computed from.</summary>
    [Benchmark]
    public int CompileAndCanonicalForm() => EdlCanonicalForm.Of(EdlCompiler.Compile("bench.edl", text).Contract!).Length;

    /// <summary>An EDL with <paramref name="functions"/> functions using every common parameter kind.</summary>
    public static string Generate(int functions)
    {
        var sb = new StringBuilder("enclave {\n    include \"stdint.h\"\n");
        sb.Append("    enum mode { MODE_A, MODE_B = 4, MODE_C };\n");
        sb.Append("    struct point { int32_t x; int32_t y; };\n");
        sb.Append("    struct blob { size_t len; [size=len] uint8_t* data; };\n");
        sb.Append("    trusted {\n");
        for (int i = 0; i < functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 4) switch
            {
                0 => "        public int ecall_" + n + "([in, size=len] const uint8_t* src, size_t len, [out, size=cap] uint8_t* dst, size_t cap);\n",
                1 => "        public void ecall_" + n + "([in, string] const char* name, struct point p, enum mode m) transition_using_threads;\n",
                2 => "        public uint64_t ecall_" + n + "([in, out] struct blob* b, [in, count=n] const int32_t* v, uint32_t n);\n",
                _ => "        public double ecall_" + n + "(double a, float b, [user_check] void* raw, [in] int32_t fixed[16]);\n",
            });
        }

        sb.Append("    };\n    untrusted {\n");
        for (int i = 0; i < functions - functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 3) switch
            {
                0 => "        void ocall_" + n + "([in, string] const char* msg) allow(ecall_0);\n",
                1 => "        int ocall_" + n + "([out, size=len] uint8_t* buf, size_t len) propagate_errno;\n",
                _ => "        uint32_t ocall_" + n + "([in, out, count=2] struct point* pts) transition_using_threads;\n",
            });
        }

        sb.Append("    };\n};\n");
        return sb.ToString();
    }
}
