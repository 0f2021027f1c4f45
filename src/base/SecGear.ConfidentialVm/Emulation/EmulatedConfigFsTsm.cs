using System.Globalization;
using System.Text;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Emulation;

/// <summary>
/// An in-process configfs-tsm that behaves as Documentation/ABI/testing/configfs-tsm describes, serving recorded
/// hardware outblobs. A plain directory cannot compute <c>outblob</c> when it is read, and FUSE would need a privileged
/// mount, so the emulator plays the kernel's side behind <see cref="ITsmFileSystem"/> (the same seam the real
/// <see cref="LinuxTsmFileSystem"/> implements): report entries appear on mkdir with the attributes <c>inblob</c>,
/// <c>outblob</c>, <c>auxblob</c> (only when the provider has one), <c>provider</c>, <c>generation</c>, and for SEV-SNP
/// <c>privlevel</c> (0 to 3, not under the floor, else EINVAL) and <c>privlevel_floor</c>; each write to <c>inblob</c> or
/// <c>privlevel</c> bumps <c>generation</c> and drops the cached report; <c>outblob</c> is produced on read for the last inblob. Faults are injected through the properties.
/// This emulates the interface, not the TEE: the outblob is recorded, so its hardware report data is what the recording
/// holds (or, with <see cref="EmulatedTsmReport.PatchReportData"/>, the inblob written over it, which breaks the hardware signature).
/// </summary>
public sealed class EmulatedConfigFsTsm : ITsmFileSystem
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<uint?> _privLevelsServed = [];

    /// <summary>Creates an emulated tree whose report root is <paramref name="reportRoot"/> (a virtual path; nothing touches the disk).</summary>
    public EmulatedConfigFsTsm(string reportRoot, EmulatedTsmReport? report)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportRoot);
        ReportRoot = Path.TrimEndingDirectorySeparator(reportRoot);
        Report = report;
    }

    /// <summary>The virtual report root.</summary>
    public string ReportRoot { get; }

    /// <summary>What the registered provider serves; null = no provider registered (mkdir fails with ENXIO).</summary>
    public EmulatedTsmReport? Report { get; set; }

    /// <summary>False: the kernel has no configfs-tsm (the report root does not exist, configfs does).</summary>
    public bool KernelSupportsTsm { get; set; } = true;

    /// <summary>False: configfs is not mounted at all.</summary>
    public bool ConfigFsMounted { get; set; } = true;

    /// <summary>True: mkdir fails with EACCES, as for an unprivileged caller.</summary>
    public bool DenyAccess { get; set; }

    /// <summary>How many outblob reads fail with EBUSY before one succeeds.</summary>
    public int BusyReads { get; set; }

    /// <summary>How many outblob reads are preceded by another process writing a different inblob to the same entry.</summary>
    public int ConcurrentWrites { get; set; }

    /// <summary>When set, outblob reads return these bytes instead of the provider's (to serve short or oversized blobs).</summary>
    public byte[]? OutblobOverride { get; set; }

    /// <summary>How many report entries exist now (a client must remove its own).</summary>
    public int EntryCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>What <c>privlevel_floor</c> reads (an SVSM raises it above 0).</summary>
    public uint PrivLevelFloor { get; set; }

    /// <summary>The <c>privlevel</c> in effect (null: never written) for each outblob produced, in order.</summary>
    public IReadOnlyList<uint?> PrivLevelsServed
    {
        get
        {
            lock (_gate)
            {
                return [.. _privLevelsServed];
            }
        }
    }

    /// <summary>Outblob reads served (including failed ones).</summary>
    public int OutblobReads { get; private set; }

    /// <inheritdoc/>
    public bool DirectoryExists(string path)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        lock (_gate)
        {
            if (path == ReportRoot)
            {
                return ConfigFsMounted && KernelSupportsTsm;
            }

            if (path == ConfigFsRoot)
            {
                return ConfigFsMounted;
            }

            return _entries.ContainsKey(path);
        }
    }

    /// <inheritdoc/>
    public bool FileExists(string path)
    {
        lock (_gate)
        {
            return Find(path, out var entry, out string attribute) && AttributeExists(entry, attribute);
        }
    }

    /// <inheritdoc/>
    public void CreateDirectory(string path)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        lock (_gate)
        {
            if (!ConfigFsMounted || !KernelSupportsTsm || Path.GetDirectoryName(path) != ReportRoot)
            {
                throw new TsmSystemException(Errno.ENOENT, "mkdir", path);
            }

            if (DenyAccess)
            {
                throw new TsmSystemException(Errno.EACCES, "mkdir", path);
            }

            // tsm_report_make_item: no registered provider -> ENXIO.
            if (Report is null)
            {
                throw new TsmSystemException(Errno.ENXIO, "mkdir", path);
            }

            if (!_entries.TryAdd(path, new Entry(Report)))
            {
                throw new TsmSystemException(Errno.EEXIST, "mkdir", path);
            }
        }
    }

    /// <inheritdoc/>
    public void RemoveDirectory(string path)
    {
        lock (_gate)
        {
            if (!_entries.Remove(Path.TrimEndingDirectorySeparator(path)))
            {
                throw new TsmSystemException(Errno.ENOENT, "rmdir", path);
            }
        }
    }

    /// <inheritdoc/>
    public void WriteFile(string path, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (!Find(path, out var entry, out string attribute) || !AttributeExists(entry, attribute))
            {
                throw new TsmSystemException(Errno.ENOENT, "open", path);
            }

            switch (attribute)
            {
                case "inblob":
                    // A configfs binary attribute with cb_max_size TSM_INBLOB_MAX: larger writes fail with EFBIG.
                    if (data.Length > ConfigFsTsm.InblobLength)
                    {
                        throw new TsmSystemException(Errno.EFBIG, "write", path);
                    }

                    entry.Inblob = data.ToArray();
                    entry.Generation++;
                    break;
                case "privlevel":
                    // tsm_report_privlevel_store: a decimal 0..TSM_PRIVLEVEL_MAX, not under the provider's floor.
                    if (!uint.TryParse(Encoding.ASCII.GetString(data).TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out uint level)
                        || level > ConfigFsTsm.MaxPrivLevel || level < PrivLevelFloor)
                    {
                        throw new TsmSystemException(Errno.EINVAL, "write", path);
                    }

                    entry.PrivLevel = level;
                    entry.Generation++;
                    break;
                default:
                    throw new TsmSystemException(Errno.EACCES, "open", path);
            }
        }
    }

    /// <inheritdoc/>
    public byte[] ReadFile(string path, int limit)
    {
        lock (_gate)
        {
            if (!Find(path, out var entry, out string attribute) || !AttributeExists(entry, attribute))
            {
                throw new TsmSystemException(Errno.ENOENT, "open", path);
            }

            byte[] data = attribute switch
            {
                "provider" => Encoding.ASCII.GetBytes(entry.Report.Provider + "\n"),
                "generation" => Encoding.ASCII.GetBytes(entry.Generation.ToString(CultureInfo.InvariantCulture) + "\n"),
                "privlevel_floor" => Encoding.ASCII.GetBytes(PrivLevelFloor.ToString(CultureInfo.InvariantCulture) + "\n"),
                "outblob" => ReadOutblob(entry, path),
                "auxblob" => entry.Report.Auxblob ?? [],
                "inblob" or "privlevel" => throw new TsmSystemException(Errno.EACCES, "open", path),
                _ => throw new TsmSystemException(Errno.ENOENT, "open", path),
            };
            return data.Length > limit + 1 ? data[..(limit + 1)] : data;
        }
    }

    private string ConfigFsRoot => Path.GetDirectoryName(Path.GetDirectoryName(ReportRoot)) ?? "/";

    private byte[] ReadOutblob(Entry entry, string path)
    {
        OutblobReads++;
        if (BusyReads > 0)
        {
            BusyReads--;
            throw new TsmSystemException(Errno.EBUSY, "read", path);
        }

        if (ConcurrentWrites > 0)
        {
            // Another process writes its own inblob between our write and our read: we get its report, and the
            // generation tells us so.
            ConcurrentWrites--;
            entry.Inblob = [.. entry.Inblob ?? new byte[ConfigFsTsm.InblobLength]];
            entry.Inblob[0] ^= 0xff;
            entry.Generation++;
        }

        // The TDX and SNP drivers reject an inblob of any other length than 64 (and none was written).
        if (entry.Inblob is not { Length: ConfigFsTsm.InblobLength } inblob)
        {
            throw new TsmSystemException(Errno.EINVAL, "read", path);
        }

        _privLevelsServed.Add(entry.PrivLevel);
        return OutblobOverride is { } forced ? [.. forced] : entry.Report.Produce(inblob);
    }

    private bool Find(string path, out Entry entry, out string attribute)
    {
        attribute = Path.GetFileName(path);
        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && _entries.TryGetValue(directory, out var found))
        {
            entry = found;
            return true;
        }

        entry = null!;
        return false;
    }

    private static bool AttributeExists(Entry entry, string attribute) => attribute switch
    {
        "inblob" or "outblob" or "provider" or "generation" => true,
        // Visible only where the provider knows privilege levels (the ABI's wording; SEV-SNP's VMPL).
        "privlevel" or "privlevel_floor" => entry.Report.Provider == TsmProviders.SevSnp,
        "auxblob" => entry.Report.Auxblob is not null,
        _ => false,
    };

    private sealed class Entry(EmulatedTsmReport report)
    {
        public EmulatedTsmReport Report { get; } = report;

        public byte[]? Inblob { get; set; }

        public long Generation { get; set; }

        public uint? PrivLevel { get; set; }
    }
}
