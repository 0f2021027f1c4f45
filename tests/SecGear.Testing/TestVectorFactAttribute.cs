namespace SecGear.Testing;

/// <summary>A fact that needs the shared test vectors; reported as skipped (never passed) when they are absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TestVectorFactAttribute : FactAttribute
{
    public TestVectorFactAttribute()
    {
        if (TestVectors.Directory is null)
        {
            Skip = TestVectors.MissingReason;
        }
    }
}
