namespace SecGear.Attestation.Tests.Tee;

/// <summary>A fact that needs the shared test vectors; reported as skipped (never passed) when they are absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TeeVectorFactAttribute : FactAttribute
{
    public TeeVectorFactAttribute()
    {
        if (TeeVectors.Directory is null)
        {
            Skip = TeeVectors.MissingReason;
        }
    }
}
