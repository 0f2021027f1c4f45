using System.Buffers;
using SecGear.Abi;

namespace SecGear.Generator.Tests;

/// <summary>
/// An in-memory "enclave": joins generated host proxies to generated enclave dispatchers with the copy semantics of
/// a real boundary (requests and responses are copied; implementation exceptions cross as typed errors), enforces
/// public/private ECALLs and <c>allow</c> lists, and records what it carried so tests can replay or corrupt it.
/// </summary>
internal sealed class LoopbackConnection : IEnclaveConnection
{
    private readonly Dictionary<string, IEcallHandler> _enclave = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IOcallHandler?> _host = new(StringComparer.Ordinal);
    private readonly Stack<(ContractDescriptor Contract, int OcallId)> _ocallsInProgress = new();

    public int SwitchlessEcalls { get; private set; }

    public int SwitchlessOcalls { get; private set; }

    /// <summary>Last request bytes per ECALL id (for replay and corruption tests).</summary>
    public Dictionary<int, byte[]> EcallRequests { get; } = [];

    /// <summary>Loads a contract into the enclave: <paramref name="create"/> builds the implementation around its OCALL channel.</summary>
    public IEcallHandler Load(IEcallFactory factory, Func<IOcallChannel, object> create)
    {
        IEcallHandler handler = factory.Create(create(new OcallChannel(this, factory.Contract)));
        _enclave[factory.Contract.Name] = handler;
        return handler;
    }

    public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls)
    {
        if (!_enclave.TryGetValue(contract.Name, out IEcallHandler? handler))
        {
            throw new ContractNotFoundException($"The enclave does not implement contract '{contract.Name}'.");
        }

        if (!handler.Contract.Hash.AsSpan().SequenceEqual(contract.Hash))
        {
            throw new ContractMismatchException($"Contract '{contract.Name}': host hash {contract.HashHex}, enclave hash {handler.Contract.HashHex}.");
        }

        _host[contract.Name] = ocalls;
        return new EcallChannel(this, handler);
    }

    private void Ecall(IEcallHandler handler, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ContractDescriptor contract = handler.Contract;
        if ((uint)functionId >= (uint)contract.Ecalls.Count)
        {
            throw new CallNotAllowedException($"No ECALL {functionId}.");
        }

        if (!contract.Ecalls[functionId].IsPublic &&
            !(_ocallsInProgress.TryPeek(out var top) && top.Contract == contract && contract.IsNestedEcallAllowed(top.OcallId, functionId)))
        {
            throw new CallNotAllowedException($"ECALL '{contract.Ecalls[functionId].Name}' is private and no OCALL in progress allows it.");
        }

        byte[] copy = request.ToArray();
        EcallRequests[functionId] = copy;
        var enclaveResponse = new ArrayBufferWriter<byte>();
        try
        {
            handler.Dispatch(functionId, copy, enclaveResponse);
        }
        catch (Exception e) when (e is not MarshalException and not CallNotAllowedException)
        {
            // As the real runtime does: only the type name and message of what the enclave threw cross the boundary.
            throw new EcallFailedException(e.GetType().FullName ?? e.GetType().Name, e.Message);
        }

        response.Write(enclaveResponse.WrittenSpan);
    }

    private void Ocall(ContractDescriptor contract, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (!_host.TryGetValue(contract.Name, out IOcallHandler? host) || host is null)
        {
            throw new OcallFailedException(contract.Ocalls[functionId].Name, typeof(InvalidOperationException).FullName!, "The host registered no OCALL handler.");
        }

        byte[] copy = request.ToArray();
        var hostResponse = new ArrayBufferWriter<byte>();
        _ocallsInProgress.Push((contract, functionId));
        try
        {
            host.Dispatch(functionId, copy, hostResponse);
        }
        catch (Exception e) when (e is not MarshalException)
        {
            throw new OcallFailedException(contract.Ocalls[functionId].Name, e.GetType().FullName ?? e.GetType().Name, e.Message);
        }
        finally
        {
            _ocallsInProgress.Pop();
        }

        response.Write(hostResponse.WrittenSpan);
    }

    private sealed class EcallChannel(LoopbackConnection owner, IEcallHandler handler) : IEnclaveChannel
    {
        public ContractDescriptor Contract => handler.Contract;

        public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
            owner.Ecall(handler, functionId, request, response);

        public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
        {
            owner.SwitchlessEcalls++;
            owner.Ecall(handler, functionId, request, response);
        }

        public async ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            CallSwitchless(functionId, request.Span, response);
        }
    }

    private sealed class OcallChannel(LoopbackConnection owner, ContractDescriptor contract) : IOcallChannel
    {
        public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
            owner.Ocall(contract, functionId, request, response);

        public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
        {
            owner.SwitchlessOcalls++;
            owner.Ocall(contract, functionId, request, response);
        }

        public async ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            CallSwitchless(functionId, request.Span, response);
        }
    }
}
