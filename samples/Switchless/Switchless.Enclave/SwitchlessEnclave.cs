using SecGear;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.SharedMemory;
using SwitchlessSample;

namespace Switchless.Enclave;

/// <summary>The enclave's implementation of the ECALLs declared in switchless.edl.</summary>
public sealed class SwitchlessEnclave(EnclaveContext context) : ISwitchlessEcalls
{
    private readonly SwitchlessOcallProxy _host = new(context.Ocalls);
    private int _greeted;

    /// <inheritdoc />
    public ulong AddOne(ulong x)
    {
        if (Interlocked.Exchange(ref _greeted, 1) == 0)
        {
            _host.PrintLine($"enclave: add_one runs on thread '{Thread.CurrentThread.Name}'");
        }

        return x + 1;
    }

    /// <inheritdoc />
    public ulong SumShared(nint data, nuint len)
    {
        // The token is resolved and checked by the runtime: a freed buffer or another enclave's is refused.
        using UntrustedBuffer buffer = context.OpenSharedMemory(data);
        if (len > (nuint)buffer.Length)
        {
            throw new SharedMemoryException($"sum_shared: {len} bytes asked, the buffer holds {buffer.Length}.");
        }

        // Each byte is read once, in place: a sum needs no validated private copy.
        ulong sum = 0;
        foreach (byte b in buffer.Contents[..(int)len])
        {
            sum += b;
        }

        return sum;
    }
}
