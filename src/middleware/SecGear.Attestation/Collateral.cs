namespace SecGear.Attestation;

/// <summary>
/// Endorsements a verifier needs besides the evidence (e.g. Intel TCB info, QE identity and CRLs). Each evidence
/// format has its own subclass; instances are immutable, parsed once and safe to share and cache.
/// </summary>
public abstract class Collateral
{
    /// <summary>The evidence format this collateral endorses (see <see cref="EvidenceFormats"/>).</summary>
    public abstract string Format { get; }

    /// <summary>The earliest time at which every item of the collateral is valid.</summary>
    public abstract DateTimeOffset ValidFrom { get; }

    /// <summary>The latest time at which every item of the collateral is valid.</summary>
    public abstract DateTimeOffset ValidUntil { get; }
}
