namespace SecGear.AttestationService.Tests.Service;

/// <summary>A temporary data directory and simulated enclave per test class instance; factories made here are disposed with it.</summary>
public abstract class ServiceTestBase : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    protected ServiceTestBase()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "secgear-as-test-" + Guid.NewGuid().ToString("N"));
        Enclave = new SimulatedEnclave();
        Factory = NewFactory();
    }

    protected string DataDirectory { get; }

    protected SimulatedEnclave Enclave { get; }

    protected ServiceFactory Factory { get; }

    protected ServiceFactory NewFactory(IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null, ManualClock? clock = null)
    {
        var factory = new ServiceFactory(dataDirectory ?? DataDirectory, Enclave.CaCertificatePath, clock, settings);
        _owned.Add(factory);
        return factory;
    }

    /// <summary>Disposes <paramref name="disposable"/> with the test.</summary>
    protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>Removes what a derived class created besides owned objects.</summary>
    protected virtual void Cleanup()
    {
    }

    public void Dispose()
    {
        Cleanup();
        foreach (var item in Enumerable.Reverse(_owned))
        {
            item.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Enclave.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
