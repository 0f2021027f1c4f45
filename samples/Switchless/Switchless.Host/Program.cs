using System.Diagnostics;
using SecGear.Host;
using SwitchlessSample;

// Switchless host: the same ECALL (add_one, declared transition_using_threads) made on an enclave that opted out of
// switchless calls (a regular call), then switchless and async-switchless on one created with no options (the EDL
// asks for switchless calls, so they are on by default); prints the measured time per call of each, then passes a
// 1 MiB shared buffer to the enclave without copying it. On a busy machine switchless calls adapt: they go the
// regular way while that is faster, so they are never much slower than regular ones (the counters say why).
string imagePath = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "Switchless.Enclave.sgimage");
int calls = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;

var regularOptions = new EnclaveOptions();
regularOptions.Features.Add(new SwitchlessOptions { Enabled = false });
await using Enclave? regular = EnclaveStartup.CreateOrReport(imagePath, EnclaveType.Auto, options: regularOptions);
await using Enclave? switchless = regular is null ? null : EnclaveStartup.CreateOrReport(imagePath, EnclaveType.Auto);
if (regular is null || switchless is null)
{
    return EnclaveStartup.FailureExitCode;
}

Console.WriteLine($"engine:                 {switchless.EngineName} ({Environment.ProcessorCount} CPUs)");
var regularProxy = new SwitchlessProxy(regular, new HostOcalls());
var switchlessProxy = new SwitchlessProxy(switchless, new HostOcalls());

double regularUs = Measure(calls, i => Check(regularProxy.AddOne(i), i));
double switchlessUs = Measure(calls, i => Check(switchlessProxy.AddOne(i), i));
double asyncUs = await MeasureAsync(calls, switchlessProxy);
Console.WriteLine($"regular ECALL:          {regularUs,8:F2} us/call");
Console.WriteLine($"switchless ECALL:       {switchlessUs,8:F2} us/call ({regularUs / switchlessUs:F1}x faster)");
Console.WriteLine($"async switchless ECALL: {asyncUs,8:F2} us/call, 16 in flight ({regularUs / asyncUs:F1}x faster)");

using SharedMemory buffer = switchless.AllocateSharedMemory(1024 * 1024);
Random.Shared.NextBytes(buffer.Span);
ulong expected = 0;
foreach (byte b in buffer.Span)
{
    expected += b;
}

ulong sum = switchlessProxy.SumShared(buffer.Token, (nuint)buffer.Length);
Console.WriteLine($"shared 1 MiB buffer:    sum {(sum == expected ? "matches" : "MISMATCH")} ({sum})");

SwitchlessStatistics stats = switchless.SwitchlessStatistics;
Console.WriteLine($"switchless counters:    {stats.EcallsProcessed} processed, {stats.Fallbacks} fallbacks, {stats.OcallsProcessed} OCALLs, " +
    $"{stats.TrustedWorkerSleeps} trusted / {stats.UntrustedWorkerSleeps} untrusted worker sleeps");
Console.WriteLine($"fallbacks by reason:    {stats.FallbacksSlower} slower, {stats.FallbacksSampling} sampling, {stats.FallbacksNotAccepted} not accepted, " +
    $"{stats.FallbacksBackoff} back-off, {stats.FallbacksPoolFull} pool full, {stats.FallbacksTooLarge} too large");
return sum == expected ? 0 : 1;

static double Measure(int calls, Action<ulong> call)
{
    for (ulong i = 0; i < 1000; i++)
    {
        call(i);
    }

    var watch = Stopwatch.StartNew();
    for (ulong i = 0; i < (ulong)calls; i++)
    {
        call(i);
    }

    return watch.Elapsed.TotalMicroseconds / calls;
}

static async Task<double> MeasureAsync(int calls, SwitchlessProxy proxy)
{
    const int InFlight = 16;
    var window = new ValueTask<ulong>[InFlight];
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < calls; i += InFlight)
    {
        for (int j = 0; j < InFlight; j++)
        {
            window[j] = proxy.AddOneAsync((ulong)(i + j));
        }

        for (int j = 0; j < InFlight; j++)
        {
            Check(await window[j], (ulong)(i + j));
        }
    }

    return watch.Elapsed.TotalMicroseconds / calls;
}

static void Check(ulong result, ulong input)
{
    if (result != input + 1)
    {
        throw new InvalidOperationException($"add_one({input}) returned {result}.");
    }
}

/// <summary>The host's implementation of the OCALLs declared in switchless.edl.</summary>
internal sealed class HostOcalls : ISwitchlessOcalls
{
    public void PrintLine(string? line) => Console.WriteLine(line);
}
