using BenchmarkDotNet.Attributes;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;

namespace SecGear.Benchmarks;

/// <summary>Simulation enclave create + first ECALL + destroy (target: median under 300 ms).</summary>
[Config(typeof(LifecycleConfig))]
public class LifecycleBenchmarks
{
    private string? _image;

    [GlobalSetup]
    public void Setup() => _image = BenchmarkImage.Build();

    [Benchmark(Description = "simulation create + first call + destroy")]
    public void CreateFirstCallDestroy()
    {
        using Enclave enclave = Enclave.Create(_image!, EnclaveType.Simulation);
        enclave.Bind(TestEnclaveContract.Descriptor, null).Call(TestEnclaveContract.EcallIds.Empty, [], new WireBuffer());
    }
}
