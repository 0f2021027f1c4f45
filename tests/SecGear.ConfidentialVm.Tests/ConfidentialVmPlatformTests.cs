using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>The enclave's platform services on a confidential VM: bound evidence and SEV-SNP derived sealing keys.</summary>
public sealed class ConfidentialVmPlatformTests
{
    private static readonly EnclaveIdentity Enclave = new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 7, 3, false);

    private static ConfidentialVmPlatform Platform(EmulatedTsmReport report, EnclaveIdentity? identity = null, ISevGuestDevice? device = null)
    {
        var tree = new EmulatedConfigFsTsm(ConfidentialVmDetection.EmulatedReportRoot, report);
        var tsm = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = ConfidentialVmDetection.EmulatedReportRoot }, tree);
        return new ConfidentialVmPlatform(identity ?? Enclave, new ConfigFsTsmEvidenceSource(tsm), device);
    }

    [TestVectorTheory]
    [InlineData(TsmProviders.Tdx, ConfidentialVmTee.Tdx, TsmProviders.TdxReportDataOffset)]
    [InlineData(TsmProviders.SevSnp, ConfidentialVmTee.SevSnp, TsmProviders.SnpReportDataOffset)]
    public void Evidence_names_the_enclave_and_its_binding_is_what_the_tee_was_asked_to_sign(string provider, ConfidentialVmTee tee, int offset)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(40);
        ConfidentialVmPlatform platform = Platform(Recordings.ByProvider(provider, patch: true));

        byte[] bytes = platform.GetEvidence(nonce);

        Assert.True(ConfidentialVmEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(tee, evidence.Tee);
        Assert.Equal(provider, evidence.Provider);
        Assert.Equal(Enclave.Measurement, evidence.Measurement.ToArray());
        Assert.Equal(Enclave.Signer, evidence.Signer.ToArray());
        Assert.Equal((ushort)7, evidence.ProductId);
        Assert.Equal((ushort)3, evidence.SecurityVersion);
        Assert.Equal([.. nonce, .. new byte[24]], evidence.ReportData.ToArray());
        Assert.Equal(evidence.Binding(), evidence.HardwareEvidence.Slice(offset, 64).ToArray());
    }

    [Fact]
    public void Binding_is_sha512_over_the_documented_fixed_layout()
    {
        byte[] measurement = RandomNumberGenerator.GetBytes(32);
        byte[] signer = RandomNumberGenerator.GetBytes(32);
        byte[] reportData = RandomNumberGenerator.GetBytes(64);
        byte[] expected = SHA512.HashData([
            .. "SecGear.NET/confidential-vm/binding/v1\0"u8.ToArray(), 2, 1, .. measurement, .. signer, 0x34, 0x12, 0x02, 0x01, .. reportData]);

        Assert.Equal(expected, ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.SevSnp, measurement, signer, 0x1234, 0x0102, true, reportData));
    }

    [Fact]
    public void Binding_changes_with_every_field()
    {
        byte[] m = new byte[32], s = new byte[32], r = new byte[64];
        byte[] baseline = ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, s, 1, 1, false, r);
        byte[][] variants =
        [
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.SevSnp, m, s, 1, 1, false, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, [1, .. m[1..]], s, 1, 1, false, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, [1, .. s[1..]], 1, 1, false, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, s, 2, 1, false, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, s, 1, 2, false, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, s, 1, 1, true, r),
            ConfidentialVmEvidence.ComputeBinding(ConfidentialVmTee.Tdx, m, s, 1, 1, false, [.. r[..63], 1]),
        ];
        Assert.All(variants, v => Assert.NotEqual(baseline, v));
    }

    [Fact]
    public void Report_data_longer_than_64_bytes_is_refused()
    {
        ConfidentialVmPlatform platform = Platform(new EmulatedTsmReport { Provider = TsmProviders.SevSnp, Outblob = new byte[TsmProviders.SnpReportLength] });

        Assert.Throws<ArgumentException>(() => platform.GetEvidence(new byte[65]));
    }

    [Fact]
    public void Tee_fault_reaches_the_caller_typed()
    {
        var tree = new EmulatedConfigFsTsm(ConfidentialVmDetection.EmulatedReportRoot, new EmulatedTsmReport { Provider = TsmProviders.SevSnp, Outblob = new byte[TsmProviders.SnpReportLength] });
        var tsm = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = ConfidentialVmDetection.EmulatedReportRoot, BusyDelay = TimeSpan.Zero }, tree);
        var platform = new ConfidentialVmPlatform(Enclave, new ConfigFsTsmEvidenceSource(tsm));
        tree.BusyReads = 1000;

        Assert.Equal(TsmFailureCode.Busy, Assert.Throws<TsmException>(() => platform.GetEvidence([])).Failure);
    }

    [Fact]
    public void Snp_enclave_policy_key_depends_on_vm_measurement_and_enclave_measurement()
    {
        var device = new EmulatedSevGuestDevice();
        var request = new SealKeyRequest(SealPolicy.Enclave, 3, RandomNumberGenerator.GetBytes(32));
        byte[] first = Derive(Platform(SnpShape(), device: device), request);

        Assert.Equal(first, Derive(Platform(SnpShape(), device: device), request));
        Assert.NotEqual(first, Derive(Platform(SnpShape(), Enclave with { Measurement = RandomNumberGenerator.GetBytes(32) }, device), request));
        device.Measurement = RandomNumberGenerator.GetBytes(48);
        Assert.NotEqual(first, Derive(Platform(SnpShape(), device: device), request));
    }

    [Fact]
    public void Snp_signer_policy_key_survives_a_new_vm_measurement_and_enclave_build_but_not_a_new_family_or_signer()
    {
        var device = new EmulatedSevGuestDevice();
        var request = new SealKeyRequest(SealPolicy.Signer, 2, RandomNumberGenerator.GetBytes(32));
        byte[] first = Derive(Platform(SnpShape(), device: device), request);

        device.Measurement = RandomNumberGenerator.GetBytes(48);
        Assert.Equal(first, Derive(Platform(SnpShape(), Enclave with { Measurement = RandomNumberGenerator.GetBytes(32), SecurityVersion = 4 }, device), request));
        Assert.NotEqual(first, Derive(Platform(SnpShape(), Enclave with { Signer = RandomNumberGenerator.GetBytes(32) }, device), request));
        device.FamilyId = RandomNumberGenerator.GetBytes(16);
        Assert.NotEqual(first, Derive(Platform(SnpShape(), device: device), request));
    }

    [Fact]
    public void Snp_key_request_selects_the_documented_fields()
    {
        Assert.Equal(SevGuestAbi.FieldGuestPolicy | SevGuestAbi.FieldMeasurement, ConfidentialVmPlatform.SnpKeyRequest(SealPolicy.Enclave, 0).GuestFieldSelect);
        Assert.Equal(SevGuestAbi.FieldGuestPolicy | SevGuestAbi.FieldFamilyId | SevGuestAbi.FieldImageId, ConfidentialVmPlatform.SnpKeyRequest(SealPolicy.Signer, 0).GuestFieldSelect);
        Assert.Equal(SevGuestAbi.RootKeyVcek, ConfidentialVmPlatform.SnpKeyRequest(SealPolicy.Signer, 0).RootKeySelect);
    }

    [Fact]
    public void Sealed_data_round_trips_with_snp_derived_keys()
    {
        var platform = Platform(SnpShape(), device: new EmulatedSevGuestDevice());
        var sealer = new EnclaveSealer(platform);

        byte[] blob = sealer.Seal("secret"u8);

        using var data = sealer.Unseal(blob);
        Assert.Equal("secret"u8.ToArray(), data.Plaintext);
    }

    [Fact]
    public void Key_for_a_higher_security_version_is_refused_before_the_device_is_asked()
    {
        var device = new EmulatedSevGuestDevice();
        var platform = Platform(SnpShape(), device: device);

        Assert.Throws<ArgumentException>(() => Derive(platform, new SealKeyRequest(SealPolicy.Enclave, 4, new byte[32])));
        Assert.Equal(0, device.DerivedKeyRequests);
    }

    [TestVectorFact]
    public void Tdx_and_cca_say_sealing_needs_the_key_broker()
    {
        var platform = Platform(Recordings.Tdx());

        var ex = Assert.Throws<EnclaveNotSupportedException>(() => Derive(platform, new SealKeyRequest(SealPolicy.Enclave, 1, new byte[32])));
        Assert.Contains("key broker", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_reports_are_refused_with_a_clear_error()
    {
        var platform = Platform(SnpShape());

        Assert.Throws<EnclaveNotSupportedException>(() => platform.CreateReport(new byte[32], []));
        Assert.Throws<LocalReportException>(() => platform.VerifyReport(new byte[10]));
    }

    private static EmulatedTsmReport SnpShape() => new() { Provider = TsmProviders.SevSnp, Outblob = new byte[TsmProviders.SnpReportLength] };

    private static byte[] Derive(ITrustedPlatform platform, SealKeyRequest request)
    {
        byte[] key = new byte[32];
        platform.DeriveSealKey(request, key);
        return key;
    }
}
