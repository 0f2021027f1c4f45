namespace SecGear.Attestation.NvidiaGpu;

/// <summary>What a reference integrity manifest describes.</summary>
public enum NvidiaRimKind
{
    /// <summary>The GPU driver (version like <c>550.90.07</c>).</summary>
    Driver = 1,

    /// <summary>The VBIOS (version like <c>96.00.9F.00.01</c>).</summary>
    Vbios,
}
