using System.Buffers;
using SecGear.Abi;

namespace SecGear.Tests.TestEnclave;

/// <summary>Generated shape: deserialises each ECALL's request, calls the implementation, serialises the result.</summary>
public sealed class TestEnclaveEcallHandler(ITestEnclaveEcalls impl) : IEcallHandler
{
    public ContractDescriptor Contract => TestContract.Descriptor;

    public void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        var reader = new WireReader(request);
        var writer = new WireBuffer();
        switch (functionId)
        {
            case TestContract.Empty:
                reader.EnsureEnd();
                impl.Empty();
                return;
            case TestContract.Echo:
            {
                ReadOnlySpan<byte> data = reader.ReadBytes();
                reader.EnsureEnd();
                byte[] result = impl.Echo(data);
                writer = new WireBuffer(result.Length + 4);
                writer.WriteBytes(result);
                break;
            }

            case TestContract.HostThreadViaOcall:
                reader.EnsureEnd();
                writer.WriteInt32(impl.HostThreadViaOcall());
                break;
            case TestContract.NestedEntry:
            {
                int x = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteInt32(impl.NestedEntry(x));
                break;
            }

            case TestContract.PrivateInner:
            {
                int x = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteInt32(impl.PrivateInner(x));
                break;
            }

            case TestContract.RefusedNesting:
                reader.EnsureEnd();
                impl.RefusedNesting();
                return;
            case TestContract.Throw:
            {
                string message = reader.ReadUtf8String(4096) ?? "";
                reader.EnsureEnd();
                impl.Throw(message);
                return;
            }

            case TestContract.OcallThrows:
            {
                bool catchIt = reader.ReadBoolean();
                reader.EnsureEnd();
                writer.WriteUtf8String(impl.OcallThrows(catchIt));
                break;
            }

            case TestContract.Hold:
                reader.EnsureEnd();
                impl.Hold();
                return;
            case TestContract.Sleep:
            {
                int ms = reader.ReadInt32();
                reader.EnsureEnd();
                impl.Sleep(ms);
                return;
            }

            case TestContract.Log:
            {
                int level = reader.ReadInt32();
                string message = reader.ReadUtf8String(4096) ?? "";
                reader.EnsureEnd();
                impl.Log(level, message);
                return;
            }

            case TestContract.Identity:
                reader.EnsureEnd();
                writer.WriteBytes(impl.Identity());
                break;
            case TestContract.Seal:
            case TestContract.Unseal:
            case TestContract.EchoViaHost:
            {
                ReadOnlySpan<byte> data = reader.ReadBytes();
                reader.EnsureEnd();
                writer.WriteBytes(functionId switch
                {
                    TestContract.Seal => impl.Seal(data),
                    TestContract.Unseal => impl.Unseal(data),
                    _ => impl.EchoViaHost(data),
                });
                break;
            }

            case TestContract.Random:
            {
                int count = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteBytes(impl.Random(count));
                break;
            }

            default:
                throw new CallNotAllowedException($"Unknown ECALL id {functionId}.");
        }

        response.Write(writer.WrittenSpan);
    }
}
