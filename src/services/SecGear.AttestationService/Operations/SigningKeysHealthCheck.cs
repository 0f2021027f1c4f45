using Microsoft.Extensions.Diagnostics.HealthChecks;
using SecGear.AttestationService.Security;

namespace SecGear.AttestationService.Operations;

/// <summary>Readiness: a token-signing key is loaded, so affirming verdicts can be signed.</summary>
internal sealed class SigningKeysHealthCheck(TokenService tokens) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(tokens.CurrentKeyId is { } kid
            ? HealthCheckResult.Healthy($"Signing with key {kid}.")
            : HealthCheckResult.Unhealthy("No token-signing key is loaded."));
}
