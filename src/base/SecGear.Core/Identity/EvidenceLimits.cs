namespace SecGear.Identity;

/// <summary>
/// Limits of enclave evidence that both sides of an enclave and every verifier share. They are part of the host/enclave
/// ABI (the evidence system call checks them on both sides): never lower them.
/// </summary>
public static class EvidenceLimits
{
    /// <summary>The most report data evidence binds (shorter report data is zero-padded), as SGX and TDX reports do.</summary>
    public const int MaxReportDataLength = 64;
}
