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
        _text = LargeEdl.Generate(Functions, deepCopy: false);
        EdlCompilation compilation = EdlCompiler.Compile("bench.edl", _text);
        _contract = compilation.Contract ?? throw new InvalidOperationException(string.Join("\n", compilation.Diagnostics.Take(5)));
        EdlGenerationResult check = EdlCodeGenerator.Generate(_contract, EdlSide.Both, "Bench");
        if (check.Files.Count == 0 || check.Diagnostics.Any(d => d.Severity == EdlSeverity.Error))
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
}
