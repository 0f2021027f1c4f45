extern alias AttestationServiceHost;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AttestationServiceHost::SecGear.AttestationService.Hosting;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Benchmarks;

/// <summary>
/// <c>--service-load [seconds]</c>: load test of the attestation service on 127.0.0.1 (real Kestrel, SQLite in a
/// temporary directory, typed client over HTTP/1.1 keep-alive). For 1, 8 and 32 concurrent clients, each for a fixed
/// duration: (a) the unit an attester pays, <c>POST /challenge</c> then <c>POST /attestation</c> with evidence binding
/// that nonce and a runtime key (the evidence is signed in the loop, as an enclave would); (b) <c>POST /attestation</c>
/// alone, with challenges and evidence made before the clock starts. Every verdict must be affirming. Floors measured
/// in the same run: the in-process <c>AttestationVerifier.Verify</c> of the same kind of evidence on one core, and an
/// empty POST endpoint on the same Kestrel setup at the same concurrency. Prints verifications/s, p50/p99 and ratios.
/// </summary>
internal static class ServiceLoad
{
    private const string PolicyId = "load";
    private static readonly int[] Concurrency = [1, 8, 32];

    public static int Run(TimeSpan duration)
    {
        return RunAsync(duration).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration)
    {
        string directory = Path.Combine(Path.GetTempPath(), "secgear-service-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var platformOptions = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
            byte[] caCertificate = SimulatedAttestationAuthority.EnsureCaCertificate(platformOptions);
            using var platform = new SimulatedPlatform(new EnclaveIdentity(SHA256.HashData("load"u8), SHA256.HashData("signer"u8), 1, 1, false), platformOptions);
            using var runtimeKey = ResourceEnvelope.CreateRecipientKey();
            byte[] runtimeData = ResourceEnvelope.ExportRuntimeData(runtimeKey);

            Console.WriteLine($"service load: {Environment.ProcessorCount} cores, {duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s per level, simulation evidence ({platform.GetEvidence(new byte[64]).Length} bytes)");
            Console.WriteLine();

            // Floor 1: in-process verification of the same evidence on one core (warm, like the service's verifier).
            var verifier = new AttestationVerifier();
            verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(caCertificate)));
            var policy = new AttestationPolicy { AllowSimulation = true };
            var sample = Evidence.Detect(platform.GetEvidence(ReportDataBinding.Compute(new byte[32], runtimeData)));
            double verifyPerSecond = MeasureInProcess(() => verifier.Verify(sample, null, DateTimeOffset.UtcNow, policy).Succeeded, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds)));

            var rows = new List<Row>();
            await using (var empty = await ServiceLoadHost.StartEmptyAsync(directory).ConfigureAwait(false))
            {
                using var http = CreateHttpClient(empty.Url);
                foreach (int clients in Concurrency)
                {
                    rows.Add(await DriveAsync($"empty POST (floor)", clients, duration, async () =>
                    {
                        using var response = await http.PostAsync(ServiceLoadHost.EmptyRoute.TrimStart('/'), null).ConfigureAwait(false);
                        return response.StatusCode == HttpStatusCode.OK;
                    }).ConfigureAwait(false));
                }
            }

            string caPath = SimulatedAttestationAuthority.CaCertificatePath(platformOptions.SecretPath);
            var settings = new Dictionary<string, string?>
            {
                ["AttestationService:SimulationTrustAnchors:0"] = caPath,
                ["AttestationService:RateLimitPerSecond"] = "0", // measure capacity, not the limiter
            };
            await using (var service = await EmbeddedAttestationService.StartAsync(Path.Combine(directory, "service"), settings).ConfigureAwait(false))
            {
                using var http = CreateHttpClient(service.Url + "/");
                string apiKey = File.ReadAllText(service.AdminKeyFile).Trim();
                var admin = new AttestationServiceClient(http, new AttestationServiceClientOptions { ApiKey = apiKey });
                using (var document = JsonDocument.Parse("""{ "allowSimulation": true }"""))
                {
                    await admin.PutPolicyAsync(PolicyId, new PolicyWriteRequest(document.RootElement.Clone())).ConfigureAwait(false);
                }

                var client = new AttestationServiceClient(http);
                var failures = new FailureLog();
                foreach (int clients in Concurrency)
                {
                    rows.Add(await DriveAsync("challenge + attestation", clients, duration, async () =>
                    {
                        var challenge = await client.ChallengeAsync(PolicyId).ConfigureAwait(false);
                        byte[] evidence = platform.GetEvidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData));
                        var verdict = await client.AttestAsync(new AttestationRequest(challenge.SessionId, PolicyId, evidence, RuntimeData: runtimeData)).ConfigureAwait(false);
                        return failures.Check(verdict);
                    }).ConfigureAwait(false));
                }

                foreach (int clients in Concurrency)
                {
                    // Enough prepared requests for this level at 1.5 times the rate the combined unit reached.
                    double unitRate = rows.Last(r => r.Name == "challenge + attestation" && r.Clients == clients).PerSecond;
                    int count = (int)Math.Clamp(unitRate * 3 * duration.TotalSeconds, 200, 60_000);
                    var prepared = await PrepareAsync(client, platform, runtimeData, count).ConfigureAwait(false);
                    int next = -1;
                    rows.Add(await DriveAsync("attestation alone", clients, duration, async () =>
                    {
                        int index = Interlocked.Increment(ref next);
                        if (index >= prepared.Length)
                        {
                            return null;
                        }

                        return failures.Check(await client.AttestAsync(prepared[index]).ConfigureAwait(false));
                    }).ConfigureAwait(false));
                }

                Print(rows, verifyPerSecond);
                if (failures.First is { } first)
                {
                    Console.WriteLine($"FAILED: {failures.Count} verdicts were not affirming; first: {first}");
                    return 1;
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static HttpClient CreateHttpClient(string url) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(30),
        };

    private static async Task<AttestationRequest[]> PrepareAsync(AttestationServiceClient client, SimulatedPlatform platform, byte[] runtimeData, int count)
    {
        var requests = new AttestationRequest[count];
        int next = -1;
        var workers = Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var challenge = await client.ChallengeAsync(PolicyId).ConfigureAwait(false);
                requests[i] = new AttestationRequest(challenge.SessionId, PolicyId, platform.GetEvidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData)), RuntimeData: runtimeData);
            }
        });
        await Task.WhenAll(workers).ConfigureAwait(false);
        return requests;
    }

    /// <summary>
    /// Runs <paramref name="clients"/> closed-loop clients until <paramref name="duration"/> has passed (or the operation
    /// returns null: out of prepared work). Each operation's latency is recorded; false counts as an error.
    /// </summary>
    private static async Task<Row> DriveAsync(string name, int clients, TimeSpan duration, Func<Task<bool?>> operation)
    {
        // Warm-up: connections opened, JIT done, outside the measurement.
        for (int i = 0; i < Math.Min(clients, 8); i++)
        {
            await operation().ConfigureAwait(false);
        }

        var latencies = new List<long>[clients];
        int errors = 0;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < end)
            {
                long t0 = Stopwatch.GetTimestamp();
                bool? ok = await operation().ConfigureAwait(false);
                if (ok is null)
                {
                    return;
                }

                mine.Add(Stopwatch.GetTimestamp() - t0);
                if (ok == false)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Row(name, clients, all.Length / elapsed, Milliseconds(Percentile(all, 0.50)), Milliseconds(Percentile(all, 0.99)), all.Length, errors, elapsed);
    }

    private static double MeasureInProcess(Func<bool> operation, TimeSpan duration)
    {
        for (int i = 0; i < 200; i++)
        {
            if (!operation())
            {
                throw new InvalidOperationException("the in-process floor's evidence does not verify");
            }
        }

        long count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            operation();
            count++;
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    private static long Percentile(long[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static void Print(List<Row> rows, double verifyPerSecond)
    {
        static string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);
        Console.WriteLine($"floor: in-process AttestationVerifier.Verify, one core: {F(verifyPerSecond)} verifications/s ({F(1e6 / verifyPerSecond, "F1")} us each)");
        Console.WriteLine();
        Console.WriteLine($"{"operation",-26} {"clients",7} {"ops/s",9} {"p50 ms",8} {"p99 ms",8} {"ops",8} {"s",5} {"errors",6}  {"vs empty POST",13}  {"vs 1-core verify",16}  target");
        foreach (var row in rows)
        {
            var floor = rows.First(r => r.Name.StartsWith("empty", StringComparison.Ordinal) && r.Clients == row.Clients);
            bool isService = !row.Name.StartsWith("empty", StringComparison.Ordinal);
            string target = isService && row.Clients == 32
                ? $"{(row.PerSecond >= 300 ? "ok" : "MISSED")} >= 300/s, {(row.P99 < 100 ? "ok" : "MISSED")} p99 < 100 ms"
                : string.Empty;
            Console.WriteLine($"{row.Name,-26} {row.Clients,7} {F(row.PerSecond),9} {F(row.P50, "F2"),8} {F(row.P99, "F2"),8} {row.Count,8} {F(row.Seconds, "F1"),5} {row.Errors,6}  "
                + $"{(isService ? F(row.PerSecond / floor.PerSecond, "F3") : "1.000"),13}  {(isService ? F(row.PerSecond / verifyPerSecond, "F3") : ""),16}  {target}");
        }

        Console.WriteLine();
        Console.WriteLine("ops/s of challenge + attestation counts units (two requests each); vs columns are throughput ratios measured in this run;");
        Console.WriteLine("s is the measured window (shorter than asked when the prepared attestations ran out).");
    }

    private sealed record Row(string Name, int Clients, double PerSecond, double P50, double P99, int Count, int Errors, double Seconds);

    /// <summary>Counts verdicts that are not affirming and keeps the first reason.</summary>
    private sealed class FailureLog
    {
        private int _count;

        public string? First { get; private set; }

        public int Count => _count;

        public bool Check(AttestationResponse verdict)
        {
            if (verdict.Status == AttestationStatus.Affirming)
            {
                return true;
            }

            if (Interlocked.Increment(ref _count) == 1)
            {
                First = $"{verdict.Failure?.Code}: {verdict.Failure?.Message}";
            }

            return false;
        }
    }
}
