using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>The configfs-tsm client against the emulated ABI: recorded outblobs, and every fault to its typed error.</summary>
public sealed class ConfigFsTsmTests
{
    private const string Root = "/emulated/sys/kernel/config/tsm/report";

    private static (ConfigFsTsm Client, EmulatedConfigFsTsm Tree) Create(EmulatedTsmReport? report, int maxBlob = 32 * 1024)
    {
        var tree = new EmulatedConfigFsTsm(Root, report);
        var client = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = Root, BusyDelay = TimeSpan.FromMilliseconds(1), MaxBlobBytes = maxBlob }, tree);
        return (client, tree);
    }

    private static TsmException Fails(ConfigFsTsm client, EmulatedConfigFsTsm tree, TsmFailureCode expected)
    {
        var ex = Assert.Throws<TsmException>(() => client.GetReport(RandomNumberGenerator.GetBytes(64)));
        Assert.Equal(expected, ex.Failure);
        Assert.Equal(0, tree.EntryCount);
        return ex;
    }

    [TestVectorTheory]
    [InlineData(TsmProviders.Tdx, ConfidentialVmTee.Tdx)]
    [InlineData(TsmProviders.SevSnp, ConfidentialVmTee.SevSnp)]
    [InlineData(TsmProviders.Cca, ConfidentialVmTee.Cca)]
    public void Report_is_the_recorded_outblob_with_its_provider_and_the_entry_is_removed(string provider, ConfidentialVmTee tee)
    {
        EmulatedTsmReport recording = Recordings.ByProvider(provider);
        var (client, tree) = Create(recording);

        TsmReport report = client.GetReport(RandomNumberGenerator.GetBytes(64));

        Assert.Equal(provider, report.Provider);
        Assert.Equal(tee, report.Tee);
        Assert.Equal(recording.Outblob, report.Outblob);
        Assert.Equal(recording.Auxblob ?? [], report.Auxblob);
        Assert.Equal(1, report.Generation);
        Assert.Equal(0, tree.EntryCount);
    }

    [TestVectorFact]
    public void Sev_snp_auxblob_is_the_certificate_table_with_vcek_ask_and_ark()
    {
        var (client, _) = Create(Recordings.Snp());

        TsmReport report = client.GetReport(new byte[64]);

        Assert.True(SnpCertificateTable.TryParse(report.Auxblob, out var certificates, out var error), error);
        Assert.Equal([SnpCertificateTable.Vcek, SnpCertificateTable.Ask, SnpCertificateTable.Ark], certificates.Select(c => c.Id));
        Assert.Equal(TestVectors.Read("sev-snp/go-sev-guest/vcek.der"), certificates[0].Der);
    }

    [TestVectorFact]
    public void Patched_outblob_carries_the_inblob_in_the_report_data_field()
    {
        byte[] inblob = RandomNumberGenerator.GetBytes(64);
        var (client, _) = Create(Recordings.Tdx(patch: true));

        TsmReport report = client.GetReport(inblob);

        Assert.Equal(inblob, report.Outblob.AsSpan(TsmProviders.TdxReportDataOffset, 64).ToArray());
    }

    [Fact]
    public void No_provider_registered_fails_as_provider_missing()
    {
        var (client, tree) = Create(report: null);

        var ex = Fails(client, tree, TsmFailureCode.ProviderMissing);
        Assert.Equal(Errno.ENXIO, ex.Errno);
        Assert.Contains("not a confidential VM", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configfs_without_tsm_fails_as_kernel_too_old()
    {
        var (client, tree) = Create(NotUsed());
        tree.KernelSupportsTsm = false;

        var ex = Fails(client, tree, TsmFailureCode.KernelTooOld);
        Assert.Contains("6.7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_configfs_fails_as_not_mounted()
    {
        var (client, tree) = Create(NotUsed());
        tree.ConfigFsMounted = false;

        Fails(client, tree, TsmFailureCode.ConfigFsNotMounted);
    }

    [Fact]
    public void Permission_denied_on_mkdir_fails_as_permission_denied()
    {
        var (client, tree) = Create(NotUsed());
        tree.DenyAccess = true;

        var ex = Fails(client, tree, TsmFailureCode.PermissionDenied);
        Assert.Equal(Errno.EACCES, ex.Errno);
    }

    [Fact]
    public void A_briefly_busy_provider_is_retried_and_answers()
    {
        var (client, tree) = Create(NotUsed());
        tree.BusyReads = 3;

        TsmReport report = client.GetReport(new byte[64]);

        Assert.Equal(4, tree.OutblobReads);
        Assert.Equal(NotUsedOutblob, report.Outblob);
    }

    [Fact]
    public void A_provider_busy_through_every_retry_fails_as_busy()
    {
        var (client, tree) = Create(NotUsed());
        tree.BusyReads = 100;

        var ex = Fails(client, tree, TsmFailureCode.Busy);
        Assert.Equal(Errno.EBUSY, ex.Errno);
        Assert.Equal(6, tree.OutblobReads);
    }

    [Fact]
    public void A_concurrent_writer_is_detected_by_generation_and_the_report_is_produced_again()
    {
        var (client, tree) = Create(NotUsed());
        tree.ConcurrentWrites = 1;

        TsmReport report = client.GetReport(new byte[64]);

        Assert.Equal(2, tree.OutblobReads);
        Assert.Equal(3, report.Generation);
    }

    [Fact]
    public void A_concurrent_writer_on_every_attempt_fails_as_concurrent_writer()
    {
        var (client, tree) = Create(NotUsed());
        tree.ConcurrentWrites = 100;

        Fails(client, tree, TsmFailureCode.ConcurrentWriter);
        Assert.Equal(3, tree.OutblobReads);
    }

    [TestVectorTheory]
    [InlineData(TsmProviders.Tdx, 100)]
    [InlineData(TsmProviders.SevSnp, 1183)]
    [InlineData(TsmProviders.Cca, 4)]
    [InlineData(TsmProviders.SevSnp, 0)]
    public void Short_outblob_fails_as_too_short(string provider, int length)
    {
        EmulatedTsmReport recording = Recordings.ByProvider(provider);
        var (client, tree) = Create(recording);
        tree.OutblobOverride = recording.Outblob[..length];

        Fails(client, tree, TsmFailureCode.OutblobTooShort);
    }

    [TestVectorFact]
    public void Sev_snp_outblob_longer_than_a_report_fails_as_too_large()
    {
        var (client, tree) = Create(Recordings.Snp());
        tree.OutblobOverride = new byte[TsmProviders.SnpReportLength + 1];

        Fails(client, tree, TsmFailureCode.OutblobTooLarge);
    }

    [TestVectorFact]
    public void Outblob_over_the_configured_limit_fails_as_too_large_without_reading_it_all()
    {
        var (client, tree) = Create(Recordings.Tdx(), maxBlob: 4096);

        var ex = Fails(client, tree, TsmFailureCode.OutblobTooLarge);
        Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Outblob_that_is_not_in_the_providers_format_fails_as_malformed()
    {
        var (client, tree) = Create(Recordings.Cca());
        tree.OutblobOverride = TestVectors.Read(Recordings.TdxQuote);

        Fails(client, tree, TsmFailureCode.OutblobMalformed);
    }

    [Fact]
    public void Unknown_provider_fails_as_unsupported()
    {
        var (client, tree) = Create(new EmulatedTsmReport { Provider = "svsm_guest", Outblob = new byte[2000] });

        Fails(client, tree, TsmFailureCode.UnsupportedProvider);
    }

    [Fact]
    public void Inblob_other_than_64_bytes_is_refused_before_any_entry_is_made()
    {
        var (client, tree) = Create(NotUsed());

        Assert.Throws<ArgumentException>(() => client.GetReport(new byte[32]));
        Assert.Equal(0, tree.EntryCount);
        Assert.Equal(0, tree.OutblobReads);
    }

    [Fact]
    public void Probe_names_the_provider_and_leaves_no_entry()
    {
        var (client, tree) = Create(NotUsed());

        Assert.Equal(TsmProviders.SevSnp, client.ProbeProvider());
        Assert.Equal(0, tree.EntryCount);
    }

    [Fact]
    public void Emulator_follows_the_abi_generation_efbig_einval_and_read_only_attributes()
    {
        var tree = new EmulatedConfigFsTsm(Root, NotUsed());
        string entry = Root + "/e";
        tree.CreateDirectory(entry);

        Assert.Equal("0\n", System.Text.Encoding.ASCII.GetString(tree.ReadFile(entry + "/generation", 64)));
        Assert.Equal(Errno.EINVAL, Assert.Throws<TsmSystemException>(() => tree.ReadFile(entry + "/outblob", 8192)).Errno);
        Assert.Equal(Errno.EFBIG, Assert.Throws<TsmSystemException>(() => tree.WriteFile(entry + "/inblob", new byte[65])).Errno);
        tree.WriteFile(entry + "/inblob", new byte[64]);
        tree.WriteFile(entry + "/inblob", new byte[64]);
        Assert.Equal("2\n", System.Text.Encoding.ASCII.GetString(tree.ReadFile(entry + "/generation", 64)));
        Assert.Equal(Errno.EACCES, Assert.Throws<TsmSystemException>(() => tree.WriteFile(entry + "/outblob", new byte[1])).Errno);
        Assert.Equal(Errno.EEXIST, Assert.Throws<TsmSystemException>(() => tree.CreateDirectory(entry)).Errno);
        Assert.True(tree.FileExists(entry + "/auxblob"));
        tree.RemoveDirectory(entry);
        Assert.False(tree.DirectoryExists(entry));
    }

    [Fact]
    public void A_requested_privlevel_is_written_before_every_inblob_and_the_report_comes_at_that_level()
    {
        var (client, tree) = Create(NotUsed());

        TsmReport report = client.GetReport(RandomNumberGenerator.GetBytes(64), privLevel: 2);

        Assert.Equal([2u], tree.PrivLevelsServed);
        // One privlevel write and one inblob write: the generation check counts both.
        Assert.Equal(2, report.Generation);
        Assert.Equal(0, tree.EntryCount);
    }

    [Fact]
    public void Without_a_requested_privlevel_nothing_is_written_to_it()
    {
        var (client, tree) = Create(NotUsed());

        client.GetReport(RandomNumberGenerator.GetBytes(64));

        Assert.Equal([null], tree.PrivLevelsServed);
    }

    [Fact]
    public void A_privlevel_under_the_floor_an_svsm_sets_is_refused_before_anything_is_written()
    {
        var (client, tree) = Create(NotUsed());
        tree.PrivLevelFloor = 2;

        var ex = Assert.Throws<TsmException>(() => client.GetReport(RandomNumberGenerator.GetBytes(64), privLevel: 0));

        Assert.Equal(TsmFailureCode.PrivLevelRejected, ex.Failure);
        Assert.Contains("privilege level 0 is outside what provider 'sev_guest' takes (2 to 3; privlevel_floor is 2)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(tree.PrivLevelsServed);
        Assert.Equal(0, tree.EntryCount);

        // At the floor it goes through.
        client.GetReport(RandomNumberGenerator.GetBytes(64), privLevel: 2);
        Assert.Equal([2u], tree.PrivLevelsServed);
    }

    [Fact]
    public void A_privlevel_on_a_provider_without_privilege_levels_is_a_typed_refusal()
    {
        var (client, tree) = Create(new EmulatedTsmReport { Provider = TsmProviders.Tdx, Outblob = new byte[1024] });

        var ex = Assert.Throws<TsmException>(() => client.GetReport(RandomNumberGenerator.GetBytes(64), privLevel: 1));

        Assert.Equal(TsmFailureCode.PrivLevelRejected, ex.Failure);
        Assert.Contains("'tdx_guest' has no privlevel attribute", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, tree.EntryCount);
    }

    [Theory]
    [InlineData("4\n")]
    [InlineData("-1\n")]
    [InlineData("one")]
    public void Emulator_refuses_a_privlevel_outside_0_to_3_with_einval(string written)
    {
        var tree = new EmulatedConfigFsTsm(Root, NotUsed());
        tree.CreateDirectory(Root + "/e");

        var ex = Assert.Throws<TsmSystemException>(() => tree.WriteFile(Root + "/e/privlevel", System.Text.Encoding.ASCII.GetBytes(written)));

        Assert.Equal(Errno.EINVAL, ex.Errno);
        Assert.Equal("0\n", System.Text.Encoding.ASCII.GetString(tree.ReadFile(Root + "/e/generation", 64)));
    }

    [Fact]
    public void Emulator_hides_auxblob_when_the_provider_has_none()
    {
        var tree = new EmulatedConfigFsTsm(Root, new EmulatedTsmReport { Provider = TsmProviders.Tdx, Outblob = new byte[700] });
        tree.CreateDirectory(Root + "/e");

        Assert.False(tree.FileExists(Root + "/e/auxblob"));
        Assert.True(tree.FileExists(Root + "/e/outblob"));
    }

    private static readonly byte[] NotUsedOutblob = RandomNumberGenerator.GetBytes(TsmProviders.SnpReportLength);

    /// <summary>A provider whose outblob content does not matter to the test (SEV-SNP-sized random bytes).</summary>
    private static EmulatedTsmReport NotUsed() => new() { Provider = TsmProviders.SevSnp, Outblob = NotUsedOutblob, Auxblob = [] };
}
