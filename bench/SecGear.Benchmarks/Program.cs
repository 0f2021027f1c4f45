using BenchmarkDotNet.Running;
using SecGear.Benchmarks;

// --quick: the switchless summary table (Stopwatch medians, under 2 minutes); anything else goes to BenchmarkDotNet.
if (args is ["--quick"])
{
    return SwitchlessQuick.Run();
}

// --quick-calls: only the call rows of the quick table (floors, regular, switchless, pool only, async), about 15 s.
if (args is ["--quick-calls"])
{
    return SwitchlessQuick.Run(callsOnly: true);
}

// --profile-loop ecall|ocall|async [seconds]: empty switchless calls on the pool alone, for a profiler to attach to.
if (args is ["--profile-loop", var kind, ..])
{
    return SwitchlessProfileLoop.Run(kind, args is [_, _, var secs] && double.TryParse(secs, System.Globalization.CultureInfo.InvariantCulture, out double t) ? t : 5);
}

// --service-load [seconds per level, default 5, at most 30 so prepared challenges outlive their use]: the attestation
// service under 1, 8 and 32 concurrent clients on 127.0.0.1.
if (args is ["--service-load", ..])
{
    return args is [_] ? ServiceLoad.Run(TimeSpan.FromSeconds(5))
        : args is [_, var seconds] && int.TryParse(seconds, out int s) && s is > 0 and <= 30 ? ServiceLoad.Run(TimeSpan.FromSeconds(s))
        : Usage();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

static int Usage()
{
    Console.Error.WriteLine("usage: SecGear.Benchmarks --service-load [seconds per level, 1-30]");
    return 2;
}
