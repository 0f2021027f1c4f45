using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SecGear.Edl;
using SecGear.Edl.Model;
using SecGear.Generator;

namespace SecGear.Benchmarks;

/// <summary>
/// Emitting C# for a 2,000-function contract (what the source generator adds to a build after the EDL compiler),
/// against compiling the same EDL, measured in the same run. The Ratio column is emit time divided by compile time.
/// </summary>
[MemoryDiagnoser]
public class EdlEmitBenchmarks
{
    private string _text = "";
    private EdlContract _contract = null!;

    /// <summary>Number of functions (ECALLs and OCALLs, half each).</summary>
    [Params(2000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = Generate(Functions);
        EdlCompilation compilation = EdlCompiler.Compile("bench.edl", _text);
        _contract = compilation.Contract ?? throw new InvalidOperationException(string.Join("\n", compilation.Diagnostics.Take(5)));
        EdlGenerationResult check = EdlCodeGenerator.Generate(_contract, EdlSide.Both, "Bench");
        if (check.Files.Count != 3)
        {
            throw new InvalidOperationException("emitter failed: " + string.Join("\n", check.Diagnostics.Take(5)));
        }
    }

    /// <summary>Floor: lex, parse, check and build the contract.</summary>
    [Benchmark(Baseline = true)]
    public int Compile() => EdlCompiler.Compile("bench.edl", _text).Contract!.Trusted.Count;

    /// <summary>Plan and emit the shared, host and enclave files.</summary>
    [Benchmark]
    public int Emit() => EdlCodeGenerator.Generate(_contract, EdlSide.Both, "Bench").Files.Sum(f => f.SourceText.Length);

    private static string Generate(int functions)
    {
        var sb = new StringBuilder("enclave {\n");
        sb.Append("    enum mode { MODE_A, MODE_B = 4, MODE_C };\n");
        sb.Append("    struct point { int32_t x; int32_t y; };\n");
        sb.Append("    trusted {\n");
        for (int i = 0; i < functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 4) switch
            {
                0 => "        public int ecall_" + n + "([in, size=len] const uint8_t* src, size_t len, [out, size=cap] uint8_t* dst, size_t cap);\n",
                1 => "        public void ecall_" + n + "([in, string] const char* name, struct point p, enum mode m) transition_using_threads;\n",
                2 => "        public uint64_t ecall_" + n + "([in, out, count=n] int32_t* v, uint32_t n, [out] struct point* p);\n",
                _ => "        public double ecall_" + n + "(double a, float b, [user_check] void* raw, [in] int32_t fixed[16]);\n",
            });
        }

        sb.Append("    };\n    untrusted {\n");
        for (int i = 0; i < functions - functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 3) switch
            {
                0 => "        void ocall_" + n + "([in, string] const char* msg);\n",
                1 => "        int ocall_" + n + "([out, size=len] uint8_t* buf, size_t len) propagate_errno;\n",
                _ => "        uint32_t ocall_" + n + "([in, out, count=2] struct point* pts) transition_using_threads;\n",
            });
        }

        sb.Append("    };\n};\n");
        return sb.ToString();
    }
}
