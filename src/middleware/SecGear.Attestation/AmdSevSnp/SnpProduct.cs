namespace SecGear.Attestation.AmdSevSnp;

/// <summary>An AMD EPYC product line that implements SEV-SNP; it fixes the TCB_VERSION layout and the ARK.</summary>
public enum SnpProduct
{
    /// <summary>Not known (a version 2 report does not say; the VCEK's productName does).</summary>
    Unknown = 0,

    /// <summary>3rd generation EPYC (Zen 3).</summary>
    Milan,

    /// <summary>4th generation EPYC (Zen 4).</summary>
    Genoa,

    /// <summary>5th generation EPYC (Zen 5); its TCB_VERSION adds an FMC component and VCEKs are keyed by an 8-byte hardware id.</summary>
    Turin,
}
