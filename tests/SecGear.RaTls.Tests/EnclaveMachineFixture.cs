namespace SecGear.RaTls.Tests;

/// <summary>One simulated machine shared by a test class (creating its CA takes a few milliseconds and a temporary directory).</summary>
public sealed class EnclaveMachineFixture : IDisposable
{
    public EnclaveMachine Machine { get; } = new();

    public void Dispose() => Machine.Dispose();
}
