using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SecGear.AttestationService.Endpoints;
using SecGear.AttestationService.WebConsole;

namespace SecGear.AttestationService.Operations;

/// <summary>Wires what operators need: maintenance, health and readiness probes, OpenTelemetry metrics with a Prometheus endpoint, and the console.</summary>
public static class OperationsComposition
{
    /// <summary>Liveness: the process answers.</summary>
    public const string HealthRoute = "/healthz";

    /// <summary>Readiness: store reachable, signing key loaded, trust anchors loaded.</summary>
    public const string ReadyRoute = "/readyz";

    /// <summary>The Prometheus scrape endpoint.</summary>
    public const string MetricsRoute = "/metrics";

    /// <summary>
    /// Meters of the enclave runtime published by <c>SecGear.Host</c> when this process also hosts enclaves (an
    /// embedded service beside an enclave host, like samples/KeyBroker): the switchless counters. The host has no meter
    /// for regular ECALLs/OCALLs yet; any it adds under <c>SecGear.Host.*</c> is exported too.
    /// </summary>
    public static readonly IReadOnlyList<string> EnclaveRuntimeMeters = ["SecGear.Switchless", "SecGear.Host.*"];

    private const string ReadyTag = "ready";

    /// <summary>Registers the maintenance service, metrics, health checks and console sessions.</summary>
    public static void AddAttestationServiceOperations(this IServiceCollection services)
    {
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton<MaintenanceService>();
        services.AddHostedService(provider => provider.GetRequiredService<MaintenanceService>());
        services.AddSingleton<ConsoleSessions>();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag])
            .AddCheck<SigningKeysHealthCheck>("signing-keys", tags: [ReadyTag])
            .AddCheck<TrustAnchorsHealthCheck>("trust-anchors", tags: [ReadyTag]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("secgear-attestation-service"))
            .WithMetrics(metrics => metrics
                .AddMeter(ServiceMetrics.MeterName)
                .AddMeter([.. EnclaveRuntimeMeters])
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
                .AddPrometheusExporter());
    }

    /// <summary>Adds the request timer (outermost, so it sees final status codes).</summary>
    public static void UseAttestationServiceMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestMetricsMiddleware>();
    }

    /// <summary>Maps the probes, the scrape endpoint and the console (public routes).</summary>
    public static void MapAttestationServiceOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthRoute, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        app.MapHealthChecks(ReadyRoute, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint(MetricsRoute);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.AttestationServiceOptions>>().Value.Console.Enabled)
        {
            ConsoleEndpoints.Map(app);
        }
    }

    /// <summary>Maps the admin routes (audit, keys, stats) on the admin group.</summary>
    public static void MapAttestationServiceOperations(RouteGroupBuilder admin) => OperationsEndpoints.Map(admin);

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("status", report.Status.ToString());
            writer.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("status", entry.Status.ToString());
                writer.WriteString("description", entry.Description);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(stream.ToArray()).AsTask();
    }
}
