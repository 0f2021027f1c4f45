using System.Buffers;
using SecGear.Abi;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>The host's OCALL handler for the test contract (generated shape plus test hooks).</summary>
public sealed class TestOcalls : IOcallHandler
{
    public TestClient? Client { get; set; }

    public Exception? RefusedNestingError { get; private set; }

    public int LastOcallThread { get; private set; }

    public SemaphoreSlim BlockEntered { get; } = new(0);

    public ManualResetEventSlim Release { get; } = new(false);

    /// <summary>Runs inside the WhereAmI OCALL, before it answers (e.g. a system call nested in an OCALL).</summary>
    public Action? DuringWhereAmI { get; set; }

    public void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        var reader = new WireReader(request);
        var writer = new WireBuffer();
        LastOcallThread = Environment.CurrentManagedThreadId;
        switch (functionId)
        {
            case TestContract.WhereAmI:
                reader.EnsureEnd();
                DuringWhereAmI?.Invoke();
                writer.WriteInt32(Environment.CurrentManagedThreadId);
                break;
            case TestContract.CallBack:
            {
                int x = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteInt32(Client!.PrivateInner(x));
                break;
            }

            case TestContract.CallBackRefused:
                reader.EnsureEnd();
                try
                {
                    Client!.PrivateInner(1);
                }
                catch (Exception ex)
                {
                    RefusedNestingError = ex;
                    throw;
                }

                break;
            case TestContract.HostThrows:
                throw new ArgumentException("host said no");
            case TestContract.HostEcho:
            {
                ReadOnlySpan<byte> data = reader.ReadBytes();
                reader.EnsureEnd();
                writer.WriteBytes(data);
                break;
            }

            case TestContract.Block:
                BlockEntered.Release();
                Release.Wait(TimeSpan.FromSeconds(30));
                break;
            default:
                throw new CallNotAllowedException($"Unknown OCALL {functionId}.");
        }

        response.Write(writer.WrittenSpan);
    }
}
