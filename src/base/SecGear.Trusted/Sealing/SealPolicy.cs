namespace SecGear.Trusted.Sealing;

/// <summary>Which identity a sealing key is bound to (SGX key policy analogue).</summary>
public enum SealPolicy : byte
{
    /// <summary>The enclave's measurement (MRENCLAVE): only this exact enclave build can unseal.</summary>
    Enclave = 1,

    /// <summary>
    /// The signer and product id (MRSIGNER): any enclave from the same signer and product whose security version
    /// is at least the sealer's can unseal; older versions cannot.
    /// </summary>
    Signer = 2,
}
