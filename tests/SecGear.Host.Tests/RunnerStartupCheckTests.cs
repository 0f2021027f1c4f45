using SecGear.Host.Runner;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Transport;

namespace SecGear.Host.Tests;

/// <summary>A runner's inconsistent start-up message is refused with the field, the value found and the value expected.</summary>
public sealed class RunnerStartupCheckTests
{
    private static readonly EnclaveOptions Options = new();

    private static StartupMessage Valid() => new()
    {
        Region = "/dev/shm/secgear-42-0123456789abcdef",
        SlotCount = 4,
        SlotSize = RegionLayout.DefaultSlotSize,
        MaxPayload = Options.MaxPayloadBytes,
        Manifest = new EnclaveManifest { Name = "check", EntryAssembly = "Check.dll", MaxThreads = 4 },
        Identity = new EnclaveIdentity(new byte[32], new byte[32], 1, 1, Debug: false),
    };

    [Fact]
    public void A_consistent_message_passes_with_every_field_the_host_uses()
    {
        StartupMessage startup = Valid();
        RunnerReady ready = RunnerStartup.Check(startup, Options);

        Assert.Equal(new RunnerReady(startup.Region!, 4, RegionLayout.DefaultSlotSize, Options.MaxPayloadBytes, startup.Manifest!, startup.Identity!, Switchless: false), ready);
    }

    public static TheoryData<string, string> Inconsistencies => new()
    {
        { "region", "Region is '/tmp/evil'; expected a path /dev/shm/secgear-<pid>-<16 hex digits>." },
        { "no-manifest", "Manifest is missing; expected the signed manifest of the image." },
        { "no-identity", "Identity is missing; expected the identity computed from the image." },
        { "measurement", "Identity.Measurement is 31 bytes; expected 32 bytes." },
        { "signer", "Identity.Signer is missing; expected 32 bytes." },
        { "slots-zero", "SlotCount is 0; expected 1 to 4096." },
        { "slots-manifest", "SlotCount is 3; expected the manifest's MaxThreads (4)." },
        { "slot-size", "SlotSize is 4096; expected 65536." },
        { "max-payload", $"MaxPayload is 1024; expected EnclaveOptions.MaxPayloadBytes ({Options.MaxPayloadBytes})." },
    };

    [Theory]
    [MemberData(nameof(Inconsistencies))]
    public void An_inconsistent_message_names_the_field_the_found_and_the_expected_value(string change, string expected)
    {
        StartupMessage valid = Valid();
        StartupMessage startup = change switch
        {
            "region" => valid with { Region = "/tmp/evil" },
            "no-manifest" => valid with { Manifest = null },
            "no-identity" => valid with { Identity = null },
            "measurement" => valid with { Identity = valid.Identity! with { Measurement = new byte[31] } },
            "signer" => valid with { Identity = valid.Identity! with { Signer = null! } },
            "slots-zero" => valid with { SlotCount = 0 },
            "slots-manifest" => valid with { SlotCount = 3 },
            "slot-size" => valid with { SlotSize = 4096 },
            "max-payload" => valid with { MaxPayload = 1024 },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        var ex = Assert.Throws<EnclaveLostException>(() => RunnerStartup.Check(startup, Options));

        Assert.Equal("The enclave runner's start-up message is inconsistent: " + expected, ex.Message);
    }
}
