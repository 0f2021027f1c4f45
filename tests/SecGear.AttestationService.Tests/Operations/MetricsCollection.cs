namespace SecGear.AttestationService.Tests.Operations;

/// <summary>
/// Tests that read exact metric values run alone: OpenTelemetry listens to meters by name across the process, so
/// services started by tests running in parallel would add to the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
