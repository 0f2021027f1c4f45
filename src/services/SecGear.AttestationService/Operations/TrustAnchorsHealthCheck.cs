using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SecGear.Attestation;
using SecGear.AttestationService.Hosting;

namespace SecGear.AttestationService.Operations;

/// <summary>
/// Readiness: the verifier is built with its pinned vendor roots, and every configured simulation trust anchor was
/// loaded (the files are read once, at start; a changed file needs a restart).
/// </summary>
internal sealed class TrustAnchorsHealthCheck(EvidenceAppraiser appraiser, IOptions<AttestationServiceOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int simulation = options.Value.SimulationTrustAnchors.Count;
        if (TrustAnchors.IntelProduction.Fingerprints.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The pinned Intel SGX root is missing."));
        }

        return Task.FromResult(appraiser.SimulationTrusted == simulation > 0
            ? HealthCheckResult.Healthy($"Vendor roots pinned; {simulation} simulation trust anchor(s) loaded.")
            : HealthCheckResult.Unhealthy("The configured simulation trust anchors are not loaded."));
    }
}
