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
    private string _text = "";

    /// <summary>Number of functions in the generated EDL (ECALLs and OCALLs, half each).</summary>
    [Params(2000)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = LargeEdl.Generate(Functions, deepCopy: true);
        EdlCompilation check = EdlCompiler.Compile("bench.edl", _text);
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
        foreach (char c in _text)
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
    public int Tokenize() => Lexer.Tokenize("bench.edl", _text, new DiagnosticBag()).Count;

    /// <summary>Lex, preprocess, parse, check, number and build the contract.</summary>
    [Benchmark]
    public int Compile() => EdlCompiler.Compile("bench.edl", _text).Contract!.Trusted.Count;

    /// <summary>Compile plus the canonical form the contract hash is computed from.</summary>
    [Benchmark]
    public int CompileAndCanonicalForm() => EdlCanonicalForm.Of(EdlCompiler.Compile("bench.edl", _text).Contract!).Length;
}
