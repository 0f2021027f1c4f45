using System.Buffers;
using SecGear.Abi;
using SecGear.Host.Engines;

namespace SecGear.Host;

/// <summary>
/// The <see cref="IEnclaveChannel"/> of one bound contract. Whether a switchless call goes through the pool is the
/// engine's decision (<see cref="EngineInstance"/>); an engine without switchless support gets a regular call.
/// </summary>
internal sealed class EnclaveChannel(Enclave enclave, int handle, ContractDescriptor contract, IOcallHandler? ocalls) : IEnclaveChannel
{
    public ContractDescriptor Contract => contract;

    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        enclave.ThrowIfDisposed();
        enclave.Instance.Call(handle, ocalls, functionId, request, response);
    }

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        enclave.ThrowIfDisposed();
        if (enclave.Instance is ISwitchlessInstance switchless)
        {
            switchless.CallSwitchless(handle, ocalls, functionId, request, response);
        }
        else
        {
            enclave.Instance.Call(handle, ocalls, functionId, request, response);
        }
    }

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            enclave.ThrowIfDisposed();
            if (enclave.Instance is ISwitchlessInstance switchless)
            {
                // Once posted, a call cannot be withdrawn from the enclave: the token is checked before posting only.
                return switchless.CallSwitchlessAsync(handle, ocalls, functionId, request, response);
            }

            enclave.Instance.Call(handle, ocalls, functionId, request.Span, response);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }
}
