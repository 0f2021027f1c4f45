using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.ConfidentialVm.Tsm;

/// <summary>
/// Client of Linux's configfs-tsm report interface (Documentation/ABI/testing/configfs-tsm): creates a report entry,
/// writes the 64-byte <c>inblob</c>, reads <c>outblob</c>, <c>auxblob</c>, <c>provider</c> and <c>generation</c>, retries
/// when <c>generation</c> shows a concurrent writer, and removes the entry. Every failure is a <see cref="TsmException"/>
/// with a <see cref="TsmFailureCode"/>. Each call uses its own entry, as the ABI recommends, so callers in this process
/// never race each other; the generation check catches other processes writing the same entry.
/// </summary>
public sealed class ConfigFsTsm
{
    /// <summary>Where the kernel exposes report entries.</summary>
    public const string DefaultReportRoot = "/sys/kernel/config/tsm/report";

    /// <summary>The inblob length this engine always writes (TSM_INBLOB_MAX; the TDX and SNP drivers require exactly this).</summary>
    public const int InblobLength = 64;

    private readonly ITsmFileSystem _fs;
    private readonly ConfigFsTsmOptions _options;

    /// <summary>Creates a client of the tree at <see cref="ConfigFsTsmOptions.ReportRoot"/> through <paramref name="fileSystem"/> (default: the real one).</summary>
    public ConfigFsTsm(ConfigFsTsmOptions? options = null, ITsmFileSystem? fileSystem = null)
    {
        _options = options ?? new ConfigFsTsmOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.ReportRoot, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxBusyRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBlobBytes, 1, nameof(options));
        _fs = fileSystem ?? LinuxTsmFileSystem.Instance;
    }

    /// <summary>The report root this client uses.</summary>
    public string ReportRoot => _options.ReportRoot;

    /// <summary>
    /// Asks configfs-tsm which provider answers, without producing a report: creates an entry, reads <c>provider</c>,
    /// removes the entry.
    /// </summary>
    /// <exception cref="TsmException">configfs or configfs-tsm is absent, no provider is registered, or access is denied.</exception>
    public string ProbeProvider()
    {
        string entry = CreateEntry();
        try
        {
            return ReadText(Path.Combine(entry, "provider"));
        }
        finally
        {
            RemoveEntry(entry);
        }
    }

    /// <summary>The highest privilege level configfs-tsm takes (TSM_PRIVLEVEL_MAX).</summary>
    public const uint MaxPrivLevel = 3;

    /// <summary>
    /// Produces a report binding <paramref name="inblob"/> (exactly 64 bytes), requested at <paramref name="privLevel"/>
    /// when given (SEV-SNP: the VMPL; written to the entry's <c>privlevel</c> before every <c>inblob</c>), else at the
    /// provider's default.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="inblob"/> is not 64 bytes.</exception>
    /// <exception cref="TsmException">See <see cref="TsmFailureCode"/>; <see cref="TsmFailureCode.PrivLevelRejected"/> when the
    /// provider has no <c>privlevel</c>, or <paramref name="privLevel"/> is under its <c>privlevel_floor</c> or above 3.</exception>
    public TsmReport GetReport(ReadOnlySpan<byte> inblob, uint? privLevel = null)
    {
        if (inblob.Length != InblobLength)
        {
            throw new ArgumentException($"The inblob must be {InblobLength} bytes; got {inblob.Length}.", nameof(inblob));
        }

        string entry = CreateEntry();
        try
        {
            string provider = ReadText(Path.Combine(entry, "provider"));
            ConfidentialVmTee tee = TsmProviders.TeeOf(provider);
            if (tee == ConfidentialVmTee.Unknown)
            {
                throw new TsmException(TsmFailureCode.UnsupportedProvider, $"configfs-tsm provider '{provider}' is not one this engine knows ({TsmProviders.Tdx}, {TsmProviders.SevSnp}, {TsmProviders.Cca})");
            }

            if (privLevel is { } requested)
            {
                CheckPrivLevel(entry, provider, requested);
            }

            for (int attempt = 1; ; attempt++)
            {
                long before = ReadGeneration(entry);
                if (privLevel is { } level)
                {
                    // Each write bumps the generation, so another writer's privlevel shows as well as its inblob.
                    WritePrivLevel(entry, level);
                }

                Write(Path.Combine(entry, "inblob"), inblob);
                long written = ReadGeneration(entry);
                if (written == before + (privLevel is null ? 1 : 2))
                {
                    byte[] outblob = ReadOutblob(entry);
                    byte[] auxblob = ReadAuxblob(entry);
                    long after = ReadGeneration(entry);
                    if (after == written)
                    {
                        TsmProviders.CheckOutblob(provider, outblob);
                        return new TsmReport(provider, tee, outblob, auxblob, after);
                    }
                }

                if (attempt >= _options.MaxAttempts)
                {
                    throw new TsmException(
                        TsmFailureCode.ConcurrentWriter,
                        $"another writer changed report entry {entry} (its generation moved while this report was produced) on all {_options.MaxAttempts} attempts");
                }
            }
        }
        finally
        {
            RemoveEntry(entry);
        }
    }

    private string CreateEntry()
    {
        string root = _options.ReportRoot;
        if (!_fs.DirectoryExists(root))
        {
            // .../config/tsm/report: configfs is the grandparent.
            string? configFs = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root)));
            if (configFs is null || !_fs.DirectoryExists(configFs))
            {
                throw new TsmException(TsmFailureCode.ConfigFsNotMounted, $"configfs is not mounted: {configFs ?? root} does not exist (mount -t configfs none /sys/kernel/config)");
            }

            throw new TsmException(TsmFailureCode.KernelTooOld, $"configfs is mounted at {configFs} but {root} does not exist: the kernel is older than 6.7 or built without CONFIG_TSM_REPORTS");
        }

        string entry = Path.Combine(root, $"secgear-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        try
        {
            _fs.CreateDirectory(entry);
        }
        catch (TsmSystemException ex)
        {
            throw ex.Errno switch
            {
                Errno.ENXIO or Errno.ENODEV => new TsmException(TsmFailureCode.ProviderMissing, $"configfs-tsm at {root} has no provider (mkdir: {Errno.Name(ex.Errno)}): this is not a confidential VM, or its TEE guest driver (tdx_guest, sev_guest, arm_cca_guest) is not loaded", ex.Errno),
                _ => Map(ex),
            };
        }

        return entry;
    }

    private void RemoveEntry(string entry)
    {
        try
        {
            _fs.RemoveDirectory(entry);
        }
        catch (TsmSystemException)
        {
            // The report is already read (or the call already failed with its own error); a stale entry holds no secret.
        }
    }

    // The ABI: privlevel is visible only where the provider knows privilege levels (SEV-SNP's VMPL), and the lowest
    // value it takes is in privlevel_floor (an SVSM raises it). Checked before writing, so the refusal can say why.
    private void CheckPrivLevel(string entry, string provider, uint level)
    {
        if (!_fs.FileExists(Path.Combine(entry, "privlevel")))
        {
            throw new TsmException(TsmFailureCode.PrivLevelRejected, $"configfs-tsm provider '{provider}' has no privlevel attribute, so privilege level {level} cannot be requested");
        }

        string floorPath = Path.Combine(entry, "privlevel_floor");
        uint floor = 0;
        if (_fs.FileExists(floorPath))
        {
            string text = ReadText(floorPath);
            floor = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed) && parsed <= MaxPrivLevel
                ? parsed
                : throw new TsmException(TsmFailureCode.OutblobMalformed, $"{floorPath} reads '{text}'; expected 0 to {MaxPrivLevel}");
        }

        if (level < floor || level > MaxPrivLevel)
        {
            throw new TsmException(TsmFailureCode.PrivLevelRejected, $"privilege level {level} is outside what provider '{provider}' takes ({floor} to {MaxPrivLevel}; privlevel_floor is {floor})");
        }
    }

    private void WritePrivLevel(string entry, uint level)
    {
        string path = Path.Combine(entry, "privlevel");
        try
        {
            _fs.WriteFile(path, Encoding.ASCII.GetBytes(level.ToString(CultureInfo.InvariantCulture) + "\n"));
        }
        catch (TsmSystemException ex) when (ex.Errno == Errno.EINVAL)
        {
            throw new TsmException(TsmFailureCode.PrivLevelRejected, $"the TEE provider rejected privilege level {level} ({Errno.Name(ex.Errno)})", ex.Errno);
        }
        catch (TsmSystemException ex)
        {
            throw Map(ex);
        }
    }

    private byte[] ReadOutblob(string entry)
    {
        string path = Path.Combine(entry, "outblob");
        TimeSpan delay = _options.BusyDelay;
        for (int retry = 0; ; retry++)
        {
            try
            {
                return ReadBounded(path, "outblob");
            }
            catch (TsmSystemException ex) when (ex.Errno is Errno.EBUSY or Errno.EAGAIN && retry < _options.MaxBusyRetries)
            {
                Thread.Sleep(delay);
                delay *= 2;
            }
            catch (TsmSystemException ex) when (ex.Errno is Errno.EBUSY or Errno.EAGAIN)
            {
                throw new TsmException(TsmFailureCode.Busy, $"the TEE provider stayed busy ({Errno.Name(ex.Errno)}) through {_options.MaxBusyRetries} retries of {path}", ex.Errno);
            }
            catch (TsmSystemException ex)
            {
                throw Map(ex);
            }
        }
    }

    private byte[] ReadAuxblob(string entry)
    {
        // The ABI: "visibility of this attribute depends on the provider".
        string path = Path.Combine(entry, "auxblob");
        if (!_fs.FileExists(path))
        {
            return [];
        }

        try
        {
            return ReadBounded(path, "auxblob");
        }
        catch (TsmSystemException ex)
        {
            throw Map(ex);
        }
    }

    private byte[] ReadBounded(string path, string name)
    {
        byte[] data = _fs.ReadFile(path, _options.MaxBlobBytes);
        if (data.Length > _options.MaxBlobBytes)
        {
            throw new TsmException(TsmFailureCode.OutblobTooLarge, $"the {name} at {path} is over the {_options.MaxBlobBytes}-byte limit");
        }

        return data;
    }

    private long ReadGeneration(string entry)
    {
        string text = ReadText(Path.Combine(entry, "generation"));
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long generation)
            ? generation
            : throw new TsmException(TsmFailureCode.OutblobMalformed, $"the generation attribute of {entry} reads '{text}'; expected a decimal number");
    }

    private string ReadText(string path)
    {
        byte[] data;
        try
        {
            data = _fs.ReadFile(path, 256);
        }
        catch (TsmSystemException ex)
        {
            throw Map(ex);
        }

        if (data.Length > 256)
        {
            throw new TsmException(TsmFailureCode.OutblobTooLarge, $"{path} holds more than 256 bytes; expected a short text attribute");
        }

        return Encoding.ASCII.GetString(data).TrimEnd('\n', '\0', ' ');
    }

    private void Write(string path, ReadOnlySpan<byte> data)
    {
        try
        {
            _fs.WriteFile(path, data);
        }
        catch (TsmSystemException ex) when (ex.Errno is Errno.EINVAL or Errno.EFBIG)
        {
            throw new TsmException(TsmFailureCode.InblobRejected, $"the TEE provider rejected the {data.Length}-byte inblob ({Errno.Name(ex.Errno)})", ex.Errno);
        }
        catch (TsmSystemException ex)
        {
            throw Map(ex);
        }
    }

    private static TsmException Map(TsmSystemException ex) => ex.Errno switch
    {
        Errno.EACCES or Errno.EPERM => new TsmException(TsmFailureCode.PermissionDenied, $"permission denied: {ex.Message} (configfs-tsm needs root or CAP_SYS_ADMIN)", ex.Errno),
        Errno.EBUSY or Errno.EAGAIN => new TsmException(TsmFailureCode.Busy, $"the TEE provider is busy: {ex.Message}", ex.Errno),
        Errno.EINVAL => new TsmException(TsmFailureCode.InblobRejected, $"the TEE provider rejected the request: {ex.Message}", ex.Errno),
        _ => new TsmException(TsmFailureCode.IoError, $"configfs-tsm I/O failed: {ex.Message}", ex.Errno),
    };
}
