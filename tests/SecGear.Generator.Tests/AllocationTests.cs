using SecGear.Generator.Tests.Generated;

namespace SecGear.Generator.Tests;

public class AllocationTests
{
    [Fact]
    public void Proxy_and_dispatcher_allocate_nothing_per_call_in_steady_state()
    {
        var enclave = new KitchenEnclave(null!);
        var proxy = new KitchenProxy(new DirectConnection(new KitchenEcallFactory().Create(enclave)), null);
        byte[] input = new byte[300];
        byte[] output = new byte[300];
        int[] values = new int[16];
        uint[] stats = new uint[2];
        int io = 1;
        var point = new Point { X = 1, Y = 2 };

        void Calls()
        {
            proxy.EcallAdd(1, 2);
            proxy.EcallMutateIn(input);
            proxy.EcallFillOut(output);
            proxy.EcallInOut(values);
            proxy.EcallScalarPointers(out _, ref io, in point, 1.0);
            proxy.EcallSharedSize(input, output, 300);
            proxy.EcallSwitchless(input, stats);
        }

        Calls();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            Calls();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
