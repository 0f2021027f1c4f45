namespace SecGear.Testing;

/// <summary>A theory that needs the shared test vectors; reported as skipped (never passed) when they are absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TestVectorTheoryAttribute : TheoryAttribute
{
    public TestVectorTheoryAttribute()
    {
        if (TestVectors.Directory is null)
        {
            Skip = TestVectors.MissingReason;
        }
    }
}
