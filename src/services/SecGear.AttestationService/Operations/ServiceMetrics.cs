using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Operations;

/// <summary>
/// The service's own meter (<see cref="MeterName"/>): decisions by verdict, TEE and failure code, request latency,
/// outstanding challenges, resource releases, rate-limit refusals and key reloads. It also keeps running totals for
/// the console's live counters (per instance, since start).
/// </summary>
public sealed class ServiceMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SecGear.AttestationService";

    private readonly Counter<long> _attestations;
    private readonly Counter<long> _releases;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started;
    private long _outstandingChallenges = -1;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public ServiceMetrics(IMeterFactory meterFactory, TokenService tokens, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(time);
        _started = time.GetUtcNow();
        var meter = meterFactory.Create(MeterName, "1.0");
        _attestations = meter.CreateCounter<long>(
            "secgear.attestation_service.attestations", "{attestation}", "Attestation decisions by verdict, TEE and failure code.");
        _releases = meter.CreateCounter<long>(
            "secgear.attestation_service.resource_releases", "{release}", "Resource requests by outcome (released or refused) and problem code.");
        _rateLimited = meter.CreateCounter<long>(
            "secgear.attestation_service.rate_limit_refusals", "{request}", "Requests refused with 429 by the per-client rate limit.");
        _duration = meter.CreateHistogram(
            "secgear.attestation_service.request.duration", "s", "Time to answer a request, by route and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        meter.CreateObservableGauge(
            "secgear.attestation_service.challenges.outstanding",
            ObserveOutstandingChallenges,
            "{challenge}",
            "Challenges issued and neither used nor expired (all instances; counted at each maintenance run).");
        meter.CreateObservableCounter(
            "secgear.attestation_service.key_reloads", () => tokens.ReloadCount, "{reload}", "Reads of the token-signing keys from the store by this instance.");
    }

    /// <summary>Running totals since start (this instance), for the console.</summary>
    public IReadOnlyDictionary<string, long> Totals => _totals;

    /// <summary>When this instance started.</summary>
    public DateTimeOffset Started => _started;

    /// <summary>Outstanding challenges at the last maintenance run (-1 before the first).</summary>
    public long OutstandingChallenges => Interlocked.Read(ref _outstandingChallenges);

    /// <summary>Counts one audited decision (attestations and resource releases; other endpoints are not counted here).</summary>
    public void Decision(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Endpoint == AttestationServiceRoutes.Attestation)
        {
            _attestations.Add(1, new KeyValuePair<string, object?>("verdict", record.Verdict), new("tee", record.Tee ?? "unknown"), new("failure_code", record.FailureCode ?? "none"));
            Increment("attestations." + record.Verdict);
        }
        else if (record.Endpoint == AttestationServiceRoutes.Resources)
        {
            _releases.Add(1, new KeyValuePair<string, object?>("outcome", record.Verdict), new("failure_code", record.FailureCode ?? "none"));
            Increment("resources." + record.Verdict);
        }
    }

    /// <summary>Counts one request refused by the rate limiter.</summary>
    public void RateLimited()
    {
        _rateLimited.Add(1);
        Increment("rate_limit_refusals");
    }

    /// <summary>Records how long a request took.</summary>
    public void RequestCompleted(string route, int statusCode, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("http.route", route), new("http.response.status_code", statusCode));

    /// <summary>Sets the outstanding-challenge count (maintenance).</summary>
    public void SetOutstandingChallenges(long count) => Interlocked.Exchange(ref _outstandingChallenges, count);

    private IEnumerable<Measurement<long>> ObserveOutstandingChallenges()
    {
        // Nothing is reported before the first count, rather than a misleading zero.
        long count = Interlocked.Read(ref _outstandingChallenges);
        if (count >= 0)
        {
            yield return new Measurement<long>(count);
        }
    }

    private void Increment(string name) => _totals.AddOrUpdate(name, 1, (_, value) => value + 1);
}
