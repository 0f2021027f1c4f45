using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>The host's OCALLs of the test contract (the generated handler calls them), plus test hooks.</summary>
public sealed class TestOcalls : ITestEnclaveOcalls
{
    private TestClient? _client;

    /// <summary>The client whose private ECALL <see cref="CallBack"/> re-enters; set before an OCALL needs it.</summary>
    public TestClient Client
    {
        get => _client ?? throw new InvalidOperationException("the test did not set TestOcalls.Client");
        set => _client = value;
    }

    public Exception? RefusedNestingError { get; private set; }

    public int LastOcallThread { get; private set; }

    public SemaphoreSlim BlockEntered { get; } = new(0);

    public ManualResetEventSlim Release { get; } = new(false);

    /// <summary>Runs inside the WhereAmI OCALL, before it answers (e.g. a system call nested in an OCALL).</summary>
    public Action? DuringWhereAmI { get; set; }

    public int WhereAmI()
    {
        Entered();
        DuringWhereAmI?.Invoke();
        return Environment.CurrentManagedThreadId;
    }

    /// <summary>Runs inside the CallBack OCALL (which allows private_inner), before it re-enters the enclave.</summary>
    public Action? DuringCallBack { get; set; }

    public int CallBack(int x)
    {
        Entered();
        DuringCallBack?.Invoke();
        return Client.PrivateInner(x);
    }

    public void CallBackRefused()
    {
        Entered();
        try
        {
            Client.PrivateInner(1);
        }
        catch (Exception ex)
        {
            RefusedNestingError = ex;
            throw;
        }
    }

    public void HostThrows()
    {
        Entered();
        throw new ArgumentException("host said no");
    }

    public void Block()
    {
        Entered();
        BlockEntered.Release();
        Release.Wait(TimeSpan.FromSeconds(30));
    }

    public void HostEcho(Span<byte> data) => Entered();

    private void Entered() => LastOcallThread = Environment.CurrentManagedThreadId;
}
