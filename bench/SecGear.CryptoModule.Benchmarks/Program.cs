using BenchmarkDotNet.Running;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>Entry point (not top-level statements: the service assembly already exposes a <c>Program</c> type).</summary>
internal static class BenchmarkEntry
{
    /// <summary>dotnet run -c Release --project bench/SecGear.CryptoModule.Benchmarks -- --filter '*' (see README.md).</summary>
    public static int Main(string[] args)
    {
        if (args is ["--soak", ..])
        {
            return Soak.RunAsync(args).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntry).Assembly).Run(args);
        return 0;
    }
}
