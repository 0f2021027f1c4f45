using System.Buffers.Binary;
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
        var data = new ReadOnlySpan<byte>(response.Data, 4000);
        uint status = BinaryPrimitives.ReadUInt32LittleEndian(data);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (status != 0)
        {
            throw new TsmException(TsmFailure.IoError, $"SNP_GET_REPORT: the firmware answered status 0x{status:x}");
        }

        if (size != TsmProviders.SnpReportLength)
        {
            throw new TsmException(size < TsmProviders.SnpReportLength ? TsmFailure.OutblobTooShort : TsmFailure.OutblobTooLarge, $"SNP_GET_REPORT returned a {size}-byte report; expected {TsmProviders.SnpReportLength}");
        }

        return data.Slice(SevGuestAbi.ReportOffset, (int)size).ToArray();
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
                throw new TsmException(TsmFailure.IoError, $"SNP_GET_DERIVED_KEY: the firmware answered status 0x{status:x} (an invalid field selection, SVN or TCB above the guest's)");
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
        int fd = Ioctl.OpenReadWrite(path);
        if (fd < 0)
        {
            throw DeviceError(-fd, $"open {path}");
        }

        try
        {
            var ioctl = new SnpGuestRequestIoctl { MessageVersion = SevGuestAbi.MessageVersion, RequestData = (ulong)request, ResponseData = (ulong)response };
            int rc = Ioctl.Call(fd, command, &ioctl);
            if (rc != 0)
            {
                throw DeviceError(-rc, $"{name} (firmware error 0x{(uint)ioctl.ExitInfo2:x}, VMM error 0x{(uint)(ioctl.ExitInfo2 >> 32):x})");
            }
        }
        finally
        {
            Ioctl.CloseDescriptor(fd);
        }
    }

    internal static TsmException DeviceError(int errno, string what) => errno switch
    {
        Errno.ENOENT or Errno.ENXIO or Errno.ENODEV => new TsmException(TsmFailure.ProviderMissing, $"{what}: {Errno.Name(errno)} (no such guest device)", errno),
        Errno.EACCES or Errno.EPERM => new TsmException(TsmFailure.PermissionDenied, $"{what}: {Errno.Name(errno)} (the guest device needs root or a group with access)", errno),
        Errno.EBUSY or Errno.EAGAIN => new TsmException(TsmFailure.Busy, $"{what}: {Errno.Name(errno)}", errno),
        Errno.ENOTTY or Errno.EOPNOTSUPP => new TsmException(TsmFailure.KernelTooOld, $"{what}: {Errno.Name(errno)} (the driver does not know this request)", errno),
        _ => new TsmException(TsmFailure.IoError, $"{what}: {Errno.Name(errno)}", errno),
    };
}
