namespace SecGear.Edl;

/// <summary>Which EDL tool's rules the compiler applies where Intel's and Open Enclave's differ.</summary>
public enum EdlDialect
{
    /// <summary>Intel SGX SDK edger8r: the strict rules (the default).</summary>
    Intel,

    /// <summary>Open Enclave oeedger8r: its relaxations are accepted with warnings.</summary>
    OpenEnclave,
}
