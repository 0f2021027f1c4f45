namespace SecGear.Attestation.Intel;

/// <summary>The report body a DCAP quote carries (v5 body descriptor values).</summary>
public enum QuoteBodyType
{
    /// <summary>SGX enclave report body, 384 bytes.</summary>
    SgxEnclaveReport = 1,

    /// <summary>TD report 1.0, 584 bytes.</summary>
    TdReport10 = 2,

    /// <summary>TD report 1.5, 648 bytes (adds TEE_TCB_SVN2 and MRSERVICETD).</summary>
    TdReport15 = 3,
}
