using SecGear.Host.Engines;

namespace SecGear.Host.Tests;

public sealed class EngineRegistryTests
{
    [Fact]
    public void Auto_picks_the_simulation_engine_on_this_machine_never_in_process()
    {
        IEnclaveEngine engine = EnclaveEngines.Resolve(EnclaveType.Auto);

        Assert.Equal(EnclaveType.Simulation, engine.Type);
        Assert.Equal("simulation", engine.Name);
    }

    [Fact]
    public void Resolve_by_type_returns_that_engine()
    {
        Assert.Equal("inprocess", EnclaveEngines.Resolve(EnclaveType.InProcess).Name);
        Assert.Contains(EnclaveEngines.All, e => e.Type == EnclaveType.Simulation);
    }

    [Fact]
    public void Register_refuses_an_engine_claiming_the_Auto_type()
    {
        Assert.Throws<ArgumentException>(() => EnclaveEngines.Register(new FakeEngine(EnclaveType.Auto)));
    }

    [Fact]
    public void Create_fails_clearly_for_a_missing_image()
    {
        var ex = Assert.Throws<SecGear.Images.EnclaveImageException>(() => Enclave.Create("/nonexistent/enclave.sgimg", EnclaveType.InProcess));
        Assert.Equal(EnclaveStatus.InvalidImage, ex.Status);
    }

    [Fact]
    public void Engines_refuse_features_they_do_not_implement()
    {
        var options = new EnclaveOptions();
        options.Features.Add(new SwitchlessRequest());

        var ex = Assert.Throws<EnclaveNotSupportedException>(() => Enclave.Create("/nonexistent/enclave.sgimg", EnclaveType.Simulation, options: options));
        Assert.Contains("switchless", ex.Message, StringComparison.Ordinal);
    }

    private sealed class SwitchlessRequest : EnclaveFeature
    {
        public override string Name => "switchless";
    }

    private sealed class FakeEngine(EnclaveType type) : IEnclaveEngine
    {
        public EnclaveType Type => type;

        public string Name => "fake";

        public bool IsAvailable => true;

        public int Priority => 1000;

        public IEnclaveInstance Create(string imagePath, EnclaveFlags flags, EnclaveOptions options) =>
            throw new NotSupportedException();
    }
}
