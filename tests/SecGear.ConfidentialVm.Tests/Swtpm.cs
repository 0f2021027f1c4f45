using System.Diagnostics;
using SecGear.ConfidentialVm.Tpm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// A software TPM (swtpm, Debian package <c>swtpm</c>) on a Unix socket in a temporary directory, provisioned like an
/// Azure confidential VM's vTPM: an RSA-2048 restricted signing key persisted at 0x81000003 and an NV index at
/// 0x01400001. The provisioning commands are marshalled here with the engine's own <see cref="TpmWriter"/>.
/// </summary>
public sealed class Swtpm : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("secgear-swtpm-").FullName;
    private readonly Process _process;

    public Swtpm()
    {
        string socket = Path.Combine(_dir, "data");
        var start = new ProcessStartInfo(Executable!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "socket", "--tpm2", "--server", $"type=unixio,path={socket}", "--ctrl", $"type=unixio,path={Path.Combine(_dir, "ctrl")}", "--tpmstate", $"dir={_dir}", "--flags", "not-need-init,startup-clear" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"swtpm did not start: {_process.StandardError.ReadToEnd()}");
            }

            Thread.Sleep(20);
        }

        Transport = TpmStreamTransport.ConnectUnixSocket(socket);
    }

    /// <summary>The swtpm executable on PATH, or null.</summary>
    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => Path.Combine(d, "swtpm")).FirstOrDefault(File.Exists);

    public TpmStreamTransport Transport { get; }

    /// <summary>Creates an RSA-2048 RSASSA/SHA-256 restricted signing primary under the owner and persists it at <paramref name="handle"/>.</summary>
    public void ProvisionAttestationKey(uint handle = TpmConstants.AzureAkHandle)
    {
        byte[] template = new TpmWriter(0).U16(TpmConstants.Rsa).U16(TpmConstants.Sha256).U32(0x00050072).U16(0)
            .U16(TpmConstants.Null).U16(TpmConstants.RsaSsa).U16(TpmConstants.Sha256).U16(2048).U32(0).U16(0).ToArray()[10..];
        byte[] create = new TpmWriter(0x00000131).Handle(TpmConstants.Owner).PasswordSession()
            .U16(4).U16(0).U16(0).Sized(template).U16(0).U32(0).ToArray();
        uint transient = new TpmReader(Transport.Execute(create), "TPM2_CreatePrimary").U32();
        byte[] evict = new TpmWriter(0x00000120).Handle(TpmConstants.Owner).Handle(transient).PasswordSession().U32(handle).ToArray();
        _ = new TpmReader(Transport.Execute(evict), "TPM2_EvictControl");
        _ = new TpmReader(Transport.Execute(new TpmWriter(0x00000165).Handle(transient).ToArray()), "TPM2_FlushContext");
    }

    /// <summary>Defines NV index <paramref name="index"/> readable and writable with its empty authorization and writes <paramref name="data"/>.</summary>
    public void ProvisionNvIndex(byte[] data, uint index = TpmConstants.AzureHclReportIndex)
    {
        byte[] nvPublic = new TpmWriter(0).U32(index).U16(TpmConstants.Sha256).U32(0x02040004).U16(0).U16((ushort)data.Length).ToArray()[10..];
        _ = new TpmReader(Transport.Execute(new TpmWriter(0x0000012A).Handle(TpmConstants.Owner).PasswordSession().U16(0).Sized(nvPublic).ToArray()), "TPM2_NV_DefineSpace");
        for (int offset = 0; offset < data.Length; offset += 512)
        {
            byte[] chunk = data.AsSpan(offset, Math.Min(512, data.Length - offset)).ToArray();
            _ = new TpmReader(Transport.Execute(new TpmWriter(0x00000137).Handle(index).Handle(index).PasswordSession().Sized(chunk).U16((ushort)offset).ToArray()), "TPM2_NV_Write");
        }
    }

    /// <summary>TPM2_PCR_Extend of SHA-256 PCR <paramref name="pcr"/>, so quotes cover non-trivial values.</summary>
    public void Extend(int pcr, byte[] digest)
    {
        byte[] command = new TpmWriter(0x00000182).Handle((uint)pcr).PasswordSession().U32(1).U16(TpmConstants.Sha256).Bytes(digest).ToArray();
        _ = new TpmReader(Transport.Execute(command), "TPM2_PCR_Extend");
    }

    public void Dispose()
    {
        Transport.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>A fact that needs swtpm; reported as skipped with the reason when it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SwtpmFactAttribute : FactAttribute
{
    public SwtpmFactAttribute()
    {
        if (Swtpm.Executable is null)
        {
            Skip = "swtpm is not installed (Debian package swtpm, listed in .ci/apt-packages)";
        }
    }

    /// <summary>The test also needs the shared test vectors.</summary>
    public bool Vectors
    {
        get => false;
        init
        {
            if (value && Skip is null && TestVectors.Directory is null)
            {
                Skip = TestVectors.MissingReason;
            }
        }
    }
}
