using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// The system-call file layer on an ordinary directory (this machine has no configfs-tsm): errno values reach the
/// client unchanged, and the client tells a missing tsm tree from a missing configfs.
/// </summary>
public sealed class LinuxTsmFileSystemTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("secgear-cvm-fs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Files_round_trip_through_the_system_calls_and_reads_stop_one_byte_past_the_limit()
    {
        var fs = LinuxTsmFileSystem.Instance;
        string entry = Path.Combine(_dir, "entry");
        fs.CreateDirectory(entry);

        // configfs attributes exist as soon as the entry does; writes never create files.
        Assert.Equal(Errno.ENOENT, Assert.Throws<TsmSystemException>(() => fs.WriteFile(Path.Combine(entry, "inblob"), [1])).Errno);
        File.WriteAllBytes(Path.Combine(entry, "inblob"), []);
        fs.WriteFile(Path.Combine(entry, "inblob"), new byte[] { 1, 2, 3 });

        Assert.Equal(new byte[] { 1, 2, 3 }, fs.ReadFile(Path.Combine(entry, "inblob"), 16));
        Assert.Equal(3, fs.ReadFile(Path.Combine(entry, "inblob"), 2).Length);
        File.Delete(Path.Combine(entry, "inblob"));
        fs.RemoveDirectory(entry);
        Assert.False(Directory.Exists(entry));
    }

    [Fact]
    public void Errno_values_are_kept()
    {
        var fs = LinuxTsmFileSystem.Instance;

        Assert.Equal(Errno.ENOENT, Assert.Throws<TsmSystemException>(() => fs.ReadFile(Path.Combine(_dir, "missing"), 8)).Errno);
        Assert.Equal(Errno.ENOENT, Assert.Throws<TsmSystemException>(() => fs.CreateDirectory(Path.Combine(_dir, "a", "b"))).Errno);
        Assert.Equal(Errno.EEXIST, Assert.Throws<TsmSystemException>(() => fs.CreateDirectory(_dir)).Errno);
    }

    [Fact]
    public void Configfs_present_without_a_tsm_tree_fails_as_kernel_too_old()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "config"));
        var client = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = Path.Combine(_dir, "config", "tsm", "report") });

        Assert.Equal(TsmFailureCode.KernelTooOld, Assert.Throws<TsmException>(client.ProbeProvider).Failure);
    }

    [Fact]
    public void No_configfs_fails_as_not_mounted()
    {
        var client = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = Path.Combine(_dir, "config", "tsm", "report") });

        Assert.Equal(TsmFailureCode.ConfigFsNotMounted, Assert.Throws<TsmException>(client.ProbeProvider).Failure);
    }

    [Fact]
    public void A_plain_directory_is_not_configfs_tsm_and_fails_typed_leaving_no_entry()
    {
        string root = Path.Combine(_dir, "config", "tsm", "report");
        Directory.CreateDirectory(root);
        var client = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = root });

        var ex = Assert.Throws<TsmException>(client.ProbeProvider);

        Assert.Equal(TsmFailureCode.IoError, ex.Failure);
        Assert.Equal(Errno.ENOENT, ex.Errno);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }
}
