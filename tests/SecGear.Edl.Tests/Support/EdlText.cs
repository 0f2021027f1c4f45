using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Edl.Tests.Support;

/// <summary>Small helpers for compiling EDL text held in a test.</summary>
internal static class EdlText
{
    public static EdlCompilation Compile(string text, EdlCompileOptions? options = null) =>
        EdlCompiler.Compile("test.edl", text, options);

    /// <summary>Compiles and asserts success (warnings allowed), returning the contract.</summary>
    public static EdlContract Contract(string text, EdlCompileOptions? options = null)
    {
        EdlCompilation result = Compile(text, options);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result.Contract!;
    }

    /// <summary>The ids of the diagnostics, in order.</summary>
    public static string[] Ids(this EdlCompilation result) => result.Diagnostics.Select(d => d.Id).ToArray();

    /// <summary>Wraps trusted functions into a minimal enclave.</summary>
    public static string WithTrusted(string functions) => "enclave { trusted { " + functions + " }; };";
}
