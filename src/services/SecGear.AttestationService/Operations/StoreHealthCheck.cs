using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Operations;

/// <summary>Readiness: the database answers a trivial statement.</summary>
internal sealed class StoreHealthCheck(IAttestationStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (StorageUnavailableException)
        {
            // The reason is logged by the request paths; the probe answer names no host, path or credential.
            return HealthCheckResult.Unhealthy("The database is unavailable (locked, missing or unreachable).");
        }
    }
}
