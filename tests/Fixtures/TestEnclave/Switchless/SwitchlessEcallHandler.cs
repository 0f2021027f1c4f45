using System.Buffers;
using SecGear.Abi;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>Generated shape: deserialises each ECALL's request, calls the implementation, serialises the result.</summary>
public sealed class SwitchlessEcallHandler(ISwitchlessEcalls impl) : IEcallHandler
{
    public ContractDescriptor Contract => SwitchlessContract.Descriptor;

    public void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        var reader = new WireReader(request);
        var writer = new WireBuffer();
        switch (functionId)
        {
            case SwitchlessContract.Echo:
                writer.WriteBytes(impl.Echo(ReadBytes(ref reader)));
                break;
            case SwitchlessContract.SumShared:
            {
                nint token = (nint)reader.ReadInt64();
                int offset = reader.ReadInt32();
                int length = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteInt64(impl.SumShared(token, offset, length));
                break;
            }

            case SwitchlessContract.FillShared:
            {
                nint token = (nint)reader.ReadInt64();
                int offset = reader.ReadInt32();
                int length = reader.ReadInt32();
                byte value = reader.ReadByte();
                reader.EnsureEnd();
                impl.FillShared(token, offset, length, value);
                break;
            }

            case SwitchlessContract.EchoViaSwitchlessOcall:
                writer.WriteBytes(impl.EchoViaSwitchlessOcall(ReadBytes(ref reader)));
                break;
            case SwitchlessContract.EchoViaRegularOcall:
                writer.WriteBytes(impl.EchoViaRegularOcall(ReadBytes(ref reader)));
                break;
            case SwitchlessContract.Sleep:
            {
                int ms = reader.ReadInt32();
                reader.EnsureEnd();
                impl.Sleep(ms);
                break;
            }

            case SwitchlessContract.Bytes:
            {
                int count = reader.ReadInt32();
                reader.EnsureEnd();
                writer.WriteBytes(impl.Bytes(count));
                break;
            }

            case SwitchlessContract.Increment:
            {
                long value = reader.ReadInt64();
                reader.EnsureEnd();
                writer.WriteInt64(impl.Increment(value));
                break;
            }

            case SwitchlessContract.OcallLoop:
            {
                int count = reader.ReadInt32();
                bool switchless = reader.ReadBoolean();
                reader.EnsureEnd();
                impl.OcallLoop(count, switchless);
                break;
            }

            case SwitchlessContract.SumBytes:
                writer.WriteInt64(impl.SumBytes(ReadBytes(ref reader)));
                break;
            default:
                throw new MarshalException($"Unknown ECALL {functionId}.");
        }

        response.Write(writer.WrittenSpan);
    }

    private static ReadOnlySpan<byte> ReadBytes(ref WireReader reader)
    {
        ReadOnlySpan<byte> data = reader.ReadBytes();
        reader.EnsureEnd();
        return data;
    }
}
