using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Devices;

/// <summary>
/// <c>/dev/sev-guest</c> through its ioctls (<see cref="SevGuestAbi"/>). Not run in this repository's tests: there is
/// no SEV-SNP guest here; the structure tests pin the request layouts against the uapi header.
/// </summary>
public sealed class LinuxSevGuestDevice(string path = LinuxSevGuestDevice.DefaultPath) : ISevGuestDevice
{
    /// <summary>The device node.</summary>
    public const string DefaultPath = "/dev/sev-guest";

    /// <inheritdoc/>
    public unsafe byte[] GetReport(ReadOnlySpan<byte> userData, uint vmpl)
    {
        if (userData.Length != 64)
        {
            throw new ArgumentException("The user data must be 64 bytes.", nameof(userData));
        }

        var request = default(SnpReportRequest);
        userData.CopyTo(new Span<byte>(request.UserData, 64));
        request.Vmpl = vmpl;
        var response = default(SnpReportResponse);
        Send(SevGuestAbi.GetReport, &request, &response, "SNP_GET_REPORT");
        return ReportFrom(new ReadOnlySpan<byte>(response.Data, 4000), "SNP_GET_REPORT");
    }

    /// <summary>The report in a MSG_REPORT_RSP (status, size, 24 reserved bytes, report).</summary>
    /// <exception cref="TsmException">A firmware error status, or a report of another size.</exception>
    public static byte[] ReportFrom(ReadOnlySpan<byte> data, string name)
    {
        uint status = BinaryPrimitives.ReadUInt32LittleEndian(data);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (status != 0)
        {
            throw new TsmException(TsmFailureCode.IoError, $"{name}: the firmware answered status 0x{status:x}");
        }

        if (size != TsmProviders.SnpReportLength)
        {
            throw new TsmException(size < TsmProviders.SnpReportLength ? TsmFailureCode.OutblobTooShort : TsmFailureCode.OutblobTooLarge, $"{name} returned a {size}-byte report; expected {TsmProviders.SnpReportLength}");
        }

        return data.Slice(SevGuestAbi.ReportOffset, (int)size).ToArray();
    }

    /// <summary>The certificate buffer SNP_GET_EXT_REPORT starts with (4 pages: a VCEK, ASK and ARK fit).</summary>
    public const int InitialCertificatesLength = 4 * 4096;

    /// <summary>The largest certificate buffer asked for, whatever length the host says it needs.</summary>
    public const int MaxCertificatesLength = 16 * 4096;

    /// <summary>The VMM error (upper half of exitinfo2) for "certificate buffer too small; certs_len says how big".</summary>
    private const uint VmmErrorInvalidLength = 1;

    /// <inheritdoc/>
    public unsafe (byte[] Report, byte[] Certificates) GetExtendedReport(ReadOnlySpan<byte> userData, uint vmpl)
    {
        if (userData.Length != 64)
        {
            throw new ArgumentException("The user data must be 64 bytes.", nameof(userData));
        }

        int length = InitialCertificatesLength;
        for (int attempt = 0; ; attempt++)
        {
            // The kernel wants a page-aligned buffer whose length is a multiple of the page size.
            byte* certificates = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
            try
            {
                new Span<byte>(certificates, length).Clear();
                var request = default(SnpExtendedReportRequest);
                userData.CopyTo(new Span<byte>(request.Data.UserData, 64));
                request.Data.Vmpl = vmpl;
                request.CertificatesAddress = (ulong)certificates;
                request.CertificatesLength = (uint)length;
                var response = default(SnpReportResponse);
                var (rc, exitInfo2) = TrySend(SevGuestAbi.GetExtendedReport, &request, &response);
                if (rc == -Errno.EIO && (uint)(exitInfo2 >> 32) == VmmErrorInvalidLength && attempt == 0)
                {
                    // The host's table is bigger than our buffer: the kernel wrote the length it needs into certs_len.
                    length = checked((int)request.CertificatesLength);
                    if (length <= 0 || length > MaxCertificatesLength || length % 4096 != 0)
                    {
                        throw new TsmException(TsmFailureCode.OutblobTooLarge, $"SNP_GET_EXT_REPORT: the host's certificate table needs {request.CertificatesLength} bytes; at most {MaxCertificatesLength} (whole pages) are accepted");
                    }

                    continue;
                }

                if (rc != 0)
                {
                    throw DeviceError(-rc, $"SNP_GET_EXT_REPORT (firmware error 0x{(uint)exitInfo2:x}, VMM error 0x{(uint)(exitInfo2 >> 32):x})");
                }

                byte[] report = ReportFrom(new ReadOnlySpan<byte>(response.Data, 4000), "SNP_GET_EXT_REPORT");
                return (report, TrimCertificateTable(new ReadOnlySpan<byte>(certificates, length)));
            }
            finally
            {
                NativeMemory.AlignedFree(certificates);
            }
        }
    }

    /// <summary>
    /// The certificate table up to the end of its last certificate (the kernel hands back whole pages, mostly zeros);
    /// empty when the host supplies no table (first entry all zero).
    /// </summary>
    /// <exception cref="TsmException"><see cref="TsmFailureCode.OutblobMalformed"/>: the table does not parse.</exception>
    public static byte[] TrimCertificateTable(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 24 || !buffer[..24].ContainsAnyExcept((byte)0))
        {
            return [];
        }

        if (!SnpCertificateTable.TryParse(buffer, out _, out string? error))
        {
            throw new TsmException(TsmFailureCode.OutblobMalformed, $"SNP_GET_EXT_REPORT: {error}");
        }

        int end = 24;
        for (int i = 0; buffer.Slice(i * 24, 24).ContainsAnyExcept((byte)0); i++)
        {
            end = Math.Max(end, (i + 2) * 24);
            var entry = buffer.Slice(i * 24, 24);
            end = Math.Max(end, (int)(BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]) + BinaryPrimitives.ReadUInt32LittleEndian(entry[20..])));
        }

        return buffer[..end].ToArray();
    }

    /// <inheritdoc/>
    public unsafe void GetDerivedKey(in SnpDerivedKeyRequest request, Span<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The key buffer must be 32 bytes.", nameof(key));
        }

        var copy = request;
        var response = default(SnpDerivedKeyResponse);
        try
        {
            Send(SevGuestAbi.GetDerivedKey, &copy, &response, "SNP_GET_DERIVED_KEY");
            var data = new ReadOnlySpan<byte>(response.Data, 64);
            uint status = BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (status != 0)
            {
                throw new TsmException(TsmFailureCode.IoError, $"SNP_GET_DERIVED_KEY: the firmware answered status 0x{status:x} (an invalid field selection, SVN or TCB above the guest's)");
            }

            data.Slice(SevGuestAbi.DerivedKeyOffset, 32).CopyTo(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(response.Data, 64));
        }
    }

    private unsafe void Send(uint command, void* request, void* response, string name)
    {
        var (rc, exitInfo2) = TrySend(command, request, response);
        if (rc != 0)
        {
            throw DeviceError(-rc, $"{name} (firmware error 0x{(uint)exitInfo2:x}, VMM error 0x{(uint)(exitInfo2 >> 32):x})");
        }
    }

    /// <summary>The ioctl's result (0 or -errno) and exitinfo2 (firmware error low, VMM error high).</summary>
    private unsafe (int Rc, ulong ExitInfo2) TrySend(uint command, void* request, void* response)
    {
        int fd = Ioctl.OpenReadWrite(path);
        if (fd < 0)
        {
            throw DeviceError(-fd, $"open {path}");
        }

        try
        {
            var ioctl = new SnpGuestRequestIoctl { MessageVersion = SevGuestAbi.MessageVersion, RequestData = (ulong)request, ResponseData = (ulong)response };
            int rc = Ioctl.Call(fd, command, &ioctl);
            return (rc, ioctl.ExitInfo2);
        }
        finally
        {
            Ioctl.CloseDescriptor(fd);
        }
    }

    internal static TsmException DeviceError(int errno, string what) => errno switch
    {
        Errno.ENOENT or Errno.ENXIO or Errno.ENODEV => new TsmException(TsmFailureCode.ProviderMissing, $"{what}: {Errno.Name(errno)} (no such guest device)", errno),
        Errno.EACCES or Errno.EPERM => new TsmException(TsmFailureCode.PermissionDenied, $"{what}: {Errno.Name(errno)} (the guest device needs root or a group with access)", errno),
        Errno.EBUSY or Errno.EAGAIN => new TsmException(TsmFailureCode.Busy, $"{what}: {Errno.Name(errno)}", errno),
        Errno.ENOTTY or Errno.EOPNOTSUPP => new TsmException(TsmFailureCode.KernelTooOld, $"{what}: {Errno.Name(errno)} (the driver does not know this request)", errno),
        _ => new TsmException(TsmFailureCode.IoError, $"{what}: {Errno.Name(errno)}", errno),
    };
}
