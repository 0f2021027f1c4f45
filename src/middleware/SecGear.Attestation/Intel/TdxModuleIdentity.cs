namespace SecGear.Attestation.Intel;

/// <summary>A TDX module identity (<c>tdxModule</c> or an entry of <c>tdxModuleIdentities</c>).</summary>
public sealed class TdxModuleIdentity
{
    /// <summary>The id, e.g. <c>TDX_01</c>; empty for the legacy <c>tdxModule</c> object.</summary>
    public required string Id { get; init; }

    /// <summary>Expected MRSIGNERSEAM (48 bytes).</summary>
    public required ReadOnlyMemory<byte> MrSigner { get; init; }

    /// <summary>Expected SEAMATTRIBUTES after masking.</summary>
    public required ReadOnlyMemory<byte> Attributes { get; init; }

    /// <summary>Mask applied to SEAMATTRIBUTES.</summary>
    public required ReadOnlyMemory<byte> AttributesMask { get; init; }

    /// <summary>Module TCB levels (ISVSVN thresholds), best first; empty for the legacy <c>tdxModule</c>.</summary>
    public required IReadOnlyList<IsvTcbLevel> TcbLevels { get; init; }
}
