using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SecGear.Host.Switchless;

/// <summary>
/// Publishes every live enclave's switchless counters through the <c>SecGear.Switchless</c> meter (observable
/// counters tagged with the enclave's name), so OpenTelemetry or dotnet-counters can read them.
/// </summary>
internal static class SwitchlessMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SecGear.Switchless";

    private static readonly Lock Gate = new();
    private static readonly List<HostSwitchless> Live = [];
    private static readonly Meter Meter = CreateMeter();

    public static void Register(HostSwitchless pool)
    {
        _ = Meter;
        lock (Gate)
        {
            Live.Add(pool);
        }
    }

    public static void Unregister(HostSwitchless pool)
    {
        lock (Gate)
        {
            Live.Remove(pool);
        }
    }

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, "1.0");
        meter.CreateObservableCounter("secgear.switchless.ecalls", () => Observe(s => s.EcallsProcessed), "{call}", "Switchless ECALLs processed.");
        meter.CreateObservableCounter("secgear.switchless.ocalls", () => Observe(s => s.OcallsProcessed), "{call}", "Switchless OCALLs processed.");
        meter.CreateObservableCounter("secgear.switchless.fallbacks", () => Observe(s => s.Fallbacks), "{call}", "Switchless calls made as regular calls instead.");
        meter.CreateObservableCounter("secgear.switchless.pool_full", () => Observe(s => s.PoolFullEvents), "{event}", "Times every task of the pool was in use.");
        meter.CreateObservableCounter("secgear.switchless.untrusted_worker.sleeps", () => Observe(s => s.UntrustedWorkerSleeps), "{sleep}", "Untrusted worker sleeps.");
        meter.CreateObservableCounter("secgear.switchless.untrusted_worker.wakes", () => Observe(s => s.UntrustedWorkerWakes), "{wake}", "Untrusted worker wake-ups.");
        meter.CreateObservableCounter("secgear.switchless.trusted_worker.sleeps", () => Observe(s => s.TrustedWorkerSleeps), "{sleep}", "Trusted worker sleeps.");
        meter.CreateObservableCounter("secgear.switchless.trusted_worker.wakes", () => Observe(s => s.TrustedWorkerWakes), "{wake}", "Trusted worker wake-ups.");
        return meter;
    }

    private static IEnumerable<Measurement<long>> Observe(Func<SwitchlessStatistics, long> select)
    {
        HostSwitchless[] live;
        lock (Gate)
        {
            live = [.. Live];
        }

        foreach (HostSwitchless pool in live)
        {
            yield return new Measurement<long>(select(pool.Statistics), new TagList { { "secgear.enclave", pool.EnclaveName } });
        }
    }
}
