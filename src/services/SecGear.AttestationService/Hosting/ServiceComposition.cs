using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SecGear.AttestationService.Endpoints;
using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;
using SecGear.AttestationService.WebConsole;

namespace SecGear.AttestationService.Hosting;

/// <summary>Wires the service: options, storage, keys, limits, the problem pipeline and the routes.</summary>
public static class ServiceComposition
{
    /// <summary>Registers the service's dependencies (options bound from the <c>AttestationService</c> section).</summary>
    public static void AddAttestationService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AttestationServiceOptions>().Bind(builder.Configuration.GetSection(AttestationServiceOptions.SectionName));
        services.AddSingleton(TimeProvider.System);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(KestrelRefusalWriter.Middleware)));
        services.ConfigureHttpJsonOptions(json =>
        {
            // Responses follow the contract's conventions (AttestationServiceJson.Options); requests are read by RequestBody.
            json.SerializerOptions.MaxDepth = AttestationServiceJson.Options.MaxDepth;
            json.SerializerOptions.NumberHandling = AttestationServiceJson.Options.NumberHandling;
        });
        services.AddSingleton<IAttestationStore>(provider => CreateStore(provider.GetRequiredService<IOptions<AttestationServiceOptions>>().Value));
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AttestationServiceOptions>>().Value;
            return MasterKey.Load(options.MasterKey, options.MasterKeyFile, EnsureDataDirectory(options));
        });
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AttestationServiceOptions>>().Value;
            return AdminAuthenticator.Load(options.AdminApiKeyHashes, options.AdminApiKeyFile, EnsureDataDirectory(options));
        });
        services.AddSingleton(provider => new AdminTokenValidator(
            provider.GetRequiredService<IOptions<AttestationServiceOptions>>().Value.AdminJwt, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TokenService>();
        services.AddSingleton<EvidenceAppraiser>();
        services.AddSingleton<AuditLog>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AttestationServiceOptions>>(
            (kestrel, options) => kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBodyBytes);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AttestationServiceOptions>>().Value;
                if (options.RateLimitPerSecond <= 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, options.RateLimitBurst),
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ServiceMetrics>().RateLimited();
                int seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                return new ValueTask(ProblemResponses.WriteAsync(
                    context.HttpContext, StatusCodes.Status429TooManyRequests, ServiceErrorCodes.RateLimited,
                    "Too many requests from this client; retry after the Retry-After delay.", seconds));
            };
        });
        services.AddOpenApi();
        services.AddAttestationServiceOperations();
    }

    /// <summary>
    /// Creates the schema and the signing key and loads every configured file (admin keys, simulation trust anchors),
    /// so a misconfigured service fails at start with a clear message instead of answering 500 later.
    /// </summary>
    public static async Task InitializeAttestationServiceAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<AttestationServiceOptions>>().Value;
        EnsureDataDirectory(options);
        await app.Services.GetRequiredService<IAttestationStore>().InitializeAsync().ConfigureAwait(false);
        app.Services.GetRequiredService<AdminAuthenticator>();
        app.Services.GetRequiredService<AdminTokenValidator>();
        app.Services.GetRequiredService<EvidenceAppraiser>();
        await app.Services.GetRequiredService<TokenService>().InitializeAsync().ConfigureAwait(false);
    }

    /// <summary>Adds the middleware and maps every route.</summary>
    public static void MapAttestationService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAttestationServiceMetrics();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseRateLimiter();
        app.MapOpenApi();
        ChallengeEndpoints.Map(app);
        AttestationEndpoints.Map(app);
        ResourceEndpoints.MapRelease(app);
        SealingKeyEndpoints.MapRelease(app);
        WellKnownEndpoints.Map(app);
        app.MapAttestationServiceOperations();
        var admin = app.MapGroup(string.Empty).AddEndpointFilter(AdminGate.FilterAsync);
        PolicyEndpoints.Map(admin);
        ReferenceValueEndpoints.Map(admin);
        ResourceEndpoints.MapAdmin(admin);
        OperationsComposition.MapAttestationServiceOperations(admin);
    }

    private static IAttestationStore CreateStore(AttestationServiceOptions options) => options.StorageProvider.ToUpperInvariant() switch
    {
        "SQLITE" => new SqliteAttestationStore(Path.Combine(options.ResolvedDataDirectory, "attestation.db"), options.BusyTimeout),
        "POSTGRES" or "POSTGRESQL" => new PostgresAttestationStore(
            options.ConnectionString ?? throw new InvalidOperationException("AttestationService:StorageProvider is postgres but AttestationService:ConnectionString is not set.")),
        _ => throw new InvalidOperationException($"AttestationService:StorageProvider '{options.StorageProvider}' is not sqlite or postgres."),
    };

    private static string EnsureDataDirectory(AttestationServiceOptions options)
    {
        string directory = options.ResolvedDataDirectory;
        try
        {
            if (!Directory.Exists(directory))
            {
                var created = Directory.CreateDirectory(directory);
                if (!OperatingSystem.IsWindows())
                {
                    created.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"The data directory '{directory}' cannot be created: {ex.Message}", ex);
        }

        return directory;
    }
}
