using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>The <c>/dev/sev-guest</c> fallback: SNP_GET_EXT_REPORT with the host's certificate table, VMPL selection.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SevGuestDeviceSourceTests
{
    private static readonly EnclaveIdentity Enclave = new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 7, 3, false);

    [TestVectorFact]
    public void The_extended_report_brings_the_hosts_certificate_table_which_the_verifier_uses()
    {
        var device = new EmulatedSevGuestDevice { Report = TestVectors.Read(Recordings.SnpReport), Certificates = Recordings.SnpCertificateTableBytes() };
        var platform = new ConfidentialVmPlatform(Enclave, new SevGuestDeviceEvidenceSource(device, vmpl: 2), device, vmpl: 2);

        byte[] bytes = platform.GetEvidence("nonce"u8);
        Assert.True(ConfidentialVmEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(Recordings.SnpCertificateTableBytes(), evidence.Auxiliary.ToArray());
        Assert.Equal([2u], device.ReportVmpls);

        // Without collateral the VCEK must come from that table: the recorded report verifies (AMD chain, signature)
        // and only the binding fails, because the recording's REPORT_DATA is not this enclave's.
        var result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(bytes), null, Recordings.SnpTime);
        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, result.Failure?.Code);
    }

    [Fact]
    public void A_driver_without_the_extended_request_falls_back_to_the_plain_report_once()
    {
        var device = new NoExtendedReportDevice();
        var source = new SevGuestDeviceEvidenceSource(device);

        Assert.Empty(source.GetReport(new byte[64]).Auxblob);
        Assert.Empty(source.GetReport(new byte[64]).Auxblob);

        Assert.Equal(1, device.ExtendedRequests);
        Assert.Equal(2, device.PlainRequests);
        Assert.Contains("SNP_GET_REPORT", source.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vmpl_above_3_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SevGuestDeviceEvidenceSource(new EmulatedSevGuestDevice(), vmpl: 4));
    }

    [Fact]
    public void The_certificate_buffer_is_trimmed_to_its_last_certificate_and_an_empty_one_means_none()
    {
        byte[] table = SnpCertificateTable.Build([(SnpCertificateTable.Vcek, RandomNumberGenerator.GetBytes(300)), (SnpCertificateTable.Ark, RandomNumberGenerator.GetBytes(200))]);
        byte[] pages = new byte[4 * 4096];
        table.CopyTo(pages, 0);

        Assert.Equal(table, LinuxSevGuestDevice.TrimCertificateTable(pages));
        Assert.Empty(LinuxSevGuestDevice.TrimCertificateTable(new byte[4096]));

        pages[16] = 0xff; // the first entry's offset now points outside the buffer
        pages[19] = 0xff;
        Assert.Equal(TsmFailureCode.OutblobMalformed, Assert.Throws<TsmException>(() => LinuxSevGuestDevice.TrimCertificateTable(pages)).Failure);
    }

    [Fact]
    public void The_vmpl_variable_takes_0_to_3_only_and_a_bad_value_names_the_variable_the_value_and_the_range()
    {
        Assert.Equal(0u, ConfidentialVmDetection.Vmpl(_ => null));
        Assert.Equal(2u, ConfidentialVmDetection.Vmpl(_ => "2"));

        var ex = Assert.Throws<ConfidentialVmConfigurationException>(() => ConfidentialVmDetection.Vmpl(_ => "4"));

        Assert.Equal(ConfidentialVmEnvironment.Vmpl, ex.Variable);
        Assert.Equal("4", ex.Value);
        Assert.Equal(EnclaveStatus.InvalidArgument, ex.Status);
        Assert.Contains("SECGEAR_CVM_VMPL is '4'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0, 1, 2 or 3", ex.Message, StringComparison.Ordinal);
    }

    private sealed class NoExtendedReportDevice : ISevGuestDevice
    {
        public int ExtendedRequests { get; private set; }

        public int PlainRequests { get; private set; }

        public byte[] GetReport(ReadOnlySpan<byte> userData, uint vmpl)
        {
            PlainRequests++;
            byte[] report = new byte[TsmProviders.SnpReportLength];
            report[0] = 2; // version
            return report;
        }

        public (byte[] Report, byte[] Certificates) GetExtendedReport(ReadOnlySpan<byte> userData, uint vmpl)
        {
            ExtendedRequests++;
            throw new TsmException(TsmFailureCode.KernelTooOld, "SNP_GET_EXT_REPORT: ENOTTY", Errno.ENOTTY);
        }

        public void GetDerivedKey(in SnpDerivedKeyRequest request, Span<byte> key) => throw new NotSupportedException();
    }
}
