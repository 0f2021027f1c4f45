namespace SecGear.Attestation.ArmCca;

/// <summary>The claims of a CCA platform token (signed by the CPAK).</summary>
public sealed class CcaPlatformClaims
{
    /// <summary>Profile (265), e.g. <c>http://arm.com/CCA-SSD/1.0.0</c>.</summary>
    public required string Profile { get; init; }

    /// <summary>Challenge (10): the hash of the realm's RAK.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>Implementation id (2396).</summary>
    public required byte[] ImplementationId { get; init; }

    /// <summary>Instance id (256).</summary>
    public required byte[] InstanceId { get; init; }

    /// <summary>Platform configuration (2401).</summary>
    public required byte[] Config { get; init; }

    /// <summary>Security lifecycle (2395); 0x3000..0x30FF is "secured".</summary>
    public required int Lifecycle { get; init; }

    /// <summary>Software components (2399).</summary>
    public required IReadOnlyList<CcaSoftwareComponent> SoftwareComponents { get; init; }

    /// <summary>Verification service hint (2400); null when absent.</summary>
    public string? VerificationService { get; init; }

    /// <summary>Platform hash algorithm (2402).</summary>
    public required string HashAlgorithm { get; init; }

    /// <summary>True when the lifecycle state is "secured" (0x3000..0x30FF).</summary>
    public bool IsSecured => Lifecycle is >= 0x3000 and <= 0x30FF;
}
