using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SecGear.Host.Switchless;

/// <summary>
/// Publishes every live enclave's switchless counters through the <c>SecGear.Switchless</c> meter (observable
/// counters tagged with the enclave's name; fallbacks also with their reason), so OpenTelemetry or dotnet-counters
/// can read them.
/// </summary>
internal static class SwitchlessMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SecGear.Switchless";

    private static readonly Lock Gate = new();
    private static readonly List<Source> Live = [];
    private static readonly Meter Meter = CreateMeter();

    /// <summary>Publishes an enclave's counters until the returned handle is disposed.</summary>
    public static IDisposable Register(string enclaveName, Func<SwitchlessStatistics> statistics)
    {
        _ = Meter;
        var source = new Source(enclaveName, statistics);
        lock (Gate)
        {
            Live.Add(source);
        }

        return source;
    }

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, "1.1");
        meter.CreateObservableCounter("secgear.switchless.ecalls", () => Observe(s => s.EcallsProcessed), "{call}", "Switchless ECALLs processed.");
        meter.CreateObservableCounter("secgear.switchless.ocalls", () => Observe(s => s.OcallsProcessed), "{call}", "Switchless OCALLs processed.");
        meter.CreateObservableCounter("secgear.switchless.fallbacks", ObserveFallbacks, "{call}", "Switchless calls (ECALLs and OCALLs) made as regular calls instead, by reason.");
        meter.CreateObservableCounter("secgear.switchless.pool_full", () => Observe(s => s.PoolFullEvents), "{event}", "Times every task of the pool was in use.");
        meter.CreateObservableCounter("secgear.switchless.untrusted_worker.sleeps", () => Observe(s => s.UntrustedWorkerSleeps), "{sleep}", "Untrusted worker sleeps.");
        meter.CreateObservableCounter("secgear.switchless.untrusted_worker.wakes", () => Observe(s => s.UntrustedWorkerWakes), "{wake}", "Untrusted worker wake-ups.");
        meter.CreateObservableCounter("secgear.switchless.trusted_worker.sleeps", () => Observe(s => s.TrustedWorkerSleeps), "{sleep}", "Trusted worker sleeps.");
        meter.CreateObservableCounter("secgear.switchless.trusted_worker.wakes", () => Observe(s => s.TrustedWorkerWakes), "{wake}", "Trusted worker wake-ups.");
        return meter;
    }

    private static Source[] Sources()
    {
        lock (Gate)
        {
            return [.. Live];
        }
    }

    private static IEnumerable<Measurement<long>> Observe(Func<SwitchlessStatistics, long> select)
    {
        foreach (Source source in Sources())
        {
            yield return new Measurement<long>(select(source.Statistics()), new TagList { { "secgear.enclave", source.EnclaveName } });
        }
    }

    private static IEnumerable<Measurement<long>> ObserveFallbacks()
    {
        foreach (Source source in Sources())
        {
            SwitchlessStatistics s = source.Statistics();
            foreach ((SwitchlessFallbackReason reason, long value) in ((SwitchlessFallbackReason, long)[])[
                (SwitchlessFallbackReason.FeatureOff, s.FallbacksFeatureOff), (SwitchlessFallbackReason.TooLarge, s.FallbacksTooLarge),
                (SwitchlessFallbackReason.PoolFull, s.FallbacksPoolFull), (SwitchlessFallbackReason.NotAccepted, s.FallbacksNotAccepted),
                (SwitchlessFallbackReason.Backoff, s.FallbacksBackoff), (SwitchlessFallbackReason.Nested, s.FallbacksNested),
                (SwitchlessFallbackReason.Slower, s.FallbacksSlower), (SwitchlessFallbackReason.Sampling, s.FallbacksSampling)])
            {
                yield return new Measurement<long>(value, new TagList { { "secgear.enclave", source.EnclaveName }, { "reason", reason.ToString() } });
            }
        }
    }

    private sealed class Source(string enclaveName, Func<SwitchlessStatistics> statistics) : IDisposable
    {
        public string EnclaveName => enclaveName;

        public SwitchlessStatistics Statistics() => statistics();

        public void Dispose()
        {
            lock (Gate)
            {
                Live.Remove(this);
            }
        }
    }
}
