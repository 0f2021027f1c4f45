namespace SecGear.ConfidentialVm.Devices;

/// <summary>The SEV-SNP guest device's requests this engine makes (<see cref="LinuxSevGuestDevice"/> on a real guest).</summary>
public interface ISevGuestDevice
{
    /// <summary>SNP_GET_REPORT: the 1184-byte attestation report binding <paramref name="userData"/> (64 bytes).</summary>
    /// <exception cref="Tsm.TsmException">The device is absent, refused or failed.</exception>
    byte[] GetReport(ReadOnlySpan<byte> userData, uint vmpl);

    /// <summary>
    /// SNP_GET_EXT_REPORT: the report and the certificate table the host supplies (VCEK or VLEK, ASK, ARK; the format of
    /// <see cref="SnpCertificateTable"/>), trimmed to its last certificate; empty when the host supplies none.
    /// </summary>
    /// <exception cref="Tsm.TsmException">The device is absent, refused or failed; <see cref="Tsm.TsmFailureCode.KernelTooOld"/> when the driver does not know the request.</exception>
    (byte[] Report, byte[] Certificates) GetExtendedReport(ReadOnlySpan<byte> userData, uint vmpl);

    /// <summary>SNP_GET_DERIVED_KEY: the firmware's 32-byte key for <paramref name="request"/> into <paramref name="key"/>.</summary>
    /// <exception cref="Tsm.TsmException">The device is absent, refused or failed.</exception>
    void GetDerivedKey(in SnpDerivedKeyRequest request, Span<byte> key);
}
