using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SecGear.FederatedSql.Coordinator;

namespace SecGear.FederatedSql.CoordinatorService;

/// <summary>
/// The coordinator service running: a <see cref="FederatedSqlCoordinator"/> behind the analyst-facing gRPC endpoint on
/// 127.0.0.1 (h2c). Program.cs runs it; tests start it in-process to read the host's log and relay.
/// </summary>
public sealed class CoordinatorServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CoordinatorServiceHost(WebApplication app, FederatedSqlCoordinator coordinator, Uri address)
    {
        _app = app;
        Coordinator = coordinator;
        Address = address;
    }

    /// <summary>The coordinator (and its enclave).</summary>
    public FederatedSqlCoordinator Coordinator { get; }

    /// <summary>Where analysts reach the service.</summary>
    public Uri Address { get; }

    /// <summary>Starts the enclave and the endpoint. The roster must name at least one analyst.</summary>
    /// <exception cref="FederatedSqlException">The roster names no analysts, or the enclave refused it.</exception>
    public static async Task<CoordinatorServiceHost> StartAsync(CoordinatorOptions options, int port = 0, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Roster is not { ReleasesToAnalysts: true })
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, "the coordinator service needs a roster that names its analysts: answers go only to them, never to this host");
        }

        var coordinator = FederatedSqlCoordinator.Start(options);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            logging?.Invoke(builder.Logging);
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddSingleton(coordinator);
            builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
            var app = builder.Build();
            app.MapGrpcService<FederatedQueryService>();
            await app.StartAsync().ConfigureAwait(false);
            string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new CoordinatorServiceHost(app, coordinator, new Uri(url.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)));
        }
        catch
        {
            await coordinator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until the host is asked to stop.</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Coordinator.DisposeAsync().ConfigureAwait(false);
    }
}
