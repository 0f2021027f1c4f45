using BenchmarkDotNet.Running;
using SecGear.Benchmarks;

// --quick: the switchless summary table (Stopwatch medians, under 2 minutes); anything else goes to BenchmarkDotNet.
if (args is ["--quick"])
{
    return SwitchlessQuick.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
