using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Tests.TestEnclave;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>On by default where the EDL asks for it (<c>transition_using_threads</c>), and the host's opt-out.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SwitchlessDefaultTests(TestImages images)
{
    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public void Enclave_whose_contracts_declare_switchless_functions_gets_switchless_calls_without_options(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.Debug);
        var (client, ocalls) = SwitchlessTests.Bind(enclave);

        Assert.True(enclave.IsSwitchless);
        Assert.Equal([1, 2], client.Echo([1, 2]));
        Assert.Equal([3], client.EchoViaSwitchlessOcall([3]));
        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(2, stats.EcallsProcessed + stats.Fallbacks);
        Assert.Equal(0, stats.FallbacksFeatureOff);
        Assert.Equal(1, ocalls.Calls);
    }

    [Fact]
    public void Without_options_the_default_is_Wakeup_and_the_pool_starts_only_if_a_contract_declares_switchless_functions()
    {
        var config = EngineChecks.Switchless("test", new EnclaveOptions());

        Assert.NotNull(config);
        Assert.True(config.IfDeclared);
        Assert.False(config.Busy);
        Assert.Equal(new SwitchlessOptions().ToConfig() with { IfDeclared = true, TrustedAffinity = config.TrustedAffinity }, config);
        Assert.True(EngineChecks.DeclaresSwitchless([SwitchlessTestContract.Descriptor]));
        Assert.False(EngineChecks.DeclaresSwitchless([Plain()]));
        Assert.True(EngineChecks.DeclaresSwitchless([Plain(), Plain(ocallSwitchless: true)]));
    }

    [Fact]
    public void Host_options_are_used_as_given_and_Enabled_false_turns_switchless_off()
    {
        var given = new EnclaveOptions();
        given.Features.Add(new SwitchlessOptions { PoolSize = 8 });
        var off = new EnclaveOptions();
        off.Features.Add(new SwitchlessOptions { Enabled = false });

        Assert.False(EngineChecks.Switchless("test", given)!.IfDeclared);
        Assert.Equal(8, EngineChecks.Switchless("test", given)!.Tasks);
        Assert.Null(EngineChecks.Switchless("test", off));
    }

    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public void Opting_out_makes_switchless_functions_regular_calls_logged_once_and_each_counted(EnclaveType type)
    {
        var logs = new CapturingLoggerFactory();
        var options = new EnclaveOptions { LoggerFactory = logs };
        options.Features.Add(new SwitchlessOptions { Enabled = false });
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.Debug, options);
        var (client, _) = SwitchlessTests.Bind(enclave);

        Assert.False(enclave.IsSwitchless);
        Assert.Equal([1, 2, 3], client.Echo([1, 2, 3]));
        Assert.Equal([4], client.Echo([4]));
        Assert.Equal([5], client.EchoViaSwitchlessOcall([5], switchless: false));
        Assert.Equal([6], client.Echo([6], switchless: false));

        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(3, stats.FallbacksFeatureOff);
        Assert.Equal(2, stats.Fallbacks);
        Assert.Equal(0, stats.EcallsProcessed);
        var notices = logs.Messages.Where(m => m.Category == "SecGear.Switchless").ToList();
        var notice = Assert.Single(notices);
        Assert.Contains("'sl_echo'", notice.Message);
        Assert.Contains("Enabled = false", notice.Message);
    }

    private static ContractDescriptor Plain(bool ocallSwitchless = false) => new(
        "plain", new byte[32], [new FunctionDescriptor(0, "e", isPublic: true, switchless: false)], [new FunctionDescriptor(0, "o", isPublic: true, switchless: ocallSwitchless)]);
}
