using System.Buffers;
using System.Runtime.Versioning;
using SecGear.Abi;
using SecGear.Identity;
using SecGear.Transport;
using SecGear.Trusted.Runtime;

namespace SecGear.Runner;

/// <summary>
/// One enclave thread (TCS): serves the messages the host posts to its slot. OCALLs made by the ECALL it runs go out
/// through the same slot, and an ECALL the host makes while that OCALL runs (a nested ECALL) arrives on the same slot
/// and is dispatched recursively on this thread, where the runtime checks the OCALL's allow list.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class EnclaveThread(Slot slot, EnclaveRuntime runtime, SharedBuffers buffers)
{
    [ThreadStatic]
    private static EnclaveThread? t_current;

    /// <summary>The enclave thread running on the current OS thread, if any.</summary>
    public static EnclaveThread? Current => t_current;

    public void Run()
    {
        t_current = this;
        while (true)
        {
            WaitForHost();
            SlotMessage message;
            try
            {
                message = slot.ReadMessage();
            }
            catch (MarshalException ex)
            {
                PostError(ex);
                continue;
            }

            if (!TryServeHostRequest(message))
            {
                PostError(new MarshalException($"Slot {slot.Index}: unexpected {message.Kind} message with no call in progress."));
            }
        }
    }

    /// <summary>Serves a request the host may send at any time (ECALL, contract binding, shared memory, system call); false for any other kind.</summary>
    private bool TryServeHostRequest(in SlotMessage message)
    {
        switch (message.Kind)
        {
            case MessageKind.Ecall:
                Ecall(message);
                return true;
            case MessageKind.Bind:
                Bind(message);
                return true;
            case MessageKind.ShareMemory or MessageKind.UnshareMemory:
                ShareMemory(message);
                return true;
            case MessageKind.SystemCall:
                SystemCall(message);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Carries an OCALL out through this thread's slot and waits for its result, serving nested ECALLs meanwhile.</summary>
    public void Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        slot.Post(SlotState.ToHost, MessageKind.Ocall, contract, function.Id, 0, request);
        while (true)
        {
            WaitForHost();
            SlotMessage message = slot.ReadMessage();
            switch (message.Kind)
            {
                case MessageKind.OcallResult:
                    slot.ReadPayload(message, response);
                    return;
                case MessageKind.OcallError:
                    throw RemoteError.Decode(message.Status, slot.ReadPayload(message)).ToEnclaveException(function.Name);
                default:
                    if (!TryServeHostRequest(message))
                    {
                        throw new MarshalException($"Slot {slot.Index}: unexpected {message.Kind} message while OCALL '{function.Name}' was in progress.");
                    }

                    break;
            }
        }
    }

    /// <summary>Sends a log message in band and waits for the host to take it. Never throws.</summary>
    public bool TryLog(int level, string category, string text)
    {
        WireBuffer buffer = WireBuffer.Rent();
        try
        {
            LogMessage.Encode(buffer, level, category, text);
            slot.Post(SlotState.ToHost, MessageKind.Log, 0, 0, 0, buffer.WrittenSpan);
            WaitForHost();
            return slot.ReadMessage().Kind == MessageKind.LogAck;
        }
        catch (SecGearException)
        {
            return false;
        }
        finally
        {
            buffer.Return();
        }
    }

    private void WaitForHost()
    {
        while (true)
        {
            int state = slot.State;
            if (state == SlotState.ToEnclave)
            {
                return;
            }

            slot.WaitWhile(state, -1);
        }
    }

    private void Ecall(in SlotMessage message)
    {
        // Copy the request out of shared memory before anything looks at it: the host may rewrite the slot.
        byte[] request = ArrayPool<byte>.Shared.Rent(message.Length);
        WireBuffer response = WireBuffer.Rent();
        try
        {
            slot.ReadPayload(message, request.AsSpan(0, message.Length));
            runtime.Ecall(message.Contract, message.Function, request.AsSpan(0, message.Length), response);
            slot.Post(SlotState.ToHost, MessageKind.Result, message.Contract, message.Function, 0, response.WrittenSpan);
        }
        catch (Exception ex)
        {
            PostError(ex);
        }
        finally
        {
            request.AsSpan(0, message.Length).Clear();
            ArrayPool<byte>.Shared.Return(request);
            response.Return();
        }
    }

    private void SystemCall(in SlotMessage message)
    {
        // Every system call request is small: refuse a long one before copying it out of shared memory.
        if (message.Length > EvidenceLimits.MaxReportDataLength)
        {
            PostError(new MarshalException($"A system call request is {message.Length} bytes; at most {EvidenceLimits.MaxReportDataLength} are allowed."));
            return;
        }

        Span<byte> request = stackalloc byte[EvidenceLimits.MaxReportDataLength];
        request = request[..message.Length];
        WireBuffer response = WireBuffer.Rent();
        try
        {
            slot.ReadPayload(message, request);
            runtime.SystemCall((EnclaveSystemCall)message.Function, request, response);
            slot.Post(SlotState.ToHost, MessageKind.Result, 0, message.Function, 0, response.WrittenSpan);
        }
        catch (Exception ex)
        {
            PostError(ex);
        }
        finally
        {
            request.Clear();
            response.Return();
        }
    }

    private void Bind(in SlotMessage message)
    {
        try
        {
            byte[] payload = slot.ReadPayload(message);
            var reader = new WireReader(payload);
            string name = reader.ReadUtf8String(1024) ?? throw new MarshalException("A bind request carries no contract name.");
            ReadOnlySpan<byte> hash = reader.ReadBytes(32);
            reader.EnsureEnd();
            int handle = runtime.Bind(name, hash);
            Span<byte> result = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(result, handle);
            slot.Post(SlotState.ToHost, MessageKind.Result, handle, 0, 0, result);
        }
        catch (Exception ex)
        {
            PostError(ex);
        }
    }

    private void ShareMemory(in SlotMessage message)
    {
        try
        {
            var reader = new WireReader(slot.ReadPayload(message));
            uint id = reader.ReadUInt32();
            if (message.Kind == MessageKind.UnshareMemory)
            {
                reader.EnsureEnd();
                buffers.Unshare(id);
                slot.Post(SlotState.ToHost, MessageKind.Result, 0, 0, 0, ReadOnlySpan<byte>.Empty);
                return;
            }

            int length = reader.ReadInt32();
            reader.EnsureEnd();
            Span<byte> result = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(result, buffers.Share(id, length));
            slot.Post(SlotState.ToHost, MessageKind.Result, 0, 0, 0, result);
        }
        catch (Exception ex)
        {
            PostError(ex);
        }
    }

    private void PostError(Exception exception)
    {
        RemoteError error = RemoteError.From(exception, runtime.Options.Debug);
        WireBuffer buffer = WireBuffer.Rent();
        try
        {
            error.Encode(buffer);
            slot.Post(SlotState.ToHost, MessageKind.Error, 0, 0, (int)error.Status, buffer.WrittenSpan);
        }
        finally
        {
            buffer.Return();
        }
    }
}
