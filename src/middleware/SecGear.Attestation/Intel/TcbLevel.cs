namespace SecGear.Attestation.Intel;

/// <summary>One entry of a TCB info's <c>tcbLevels</c>: minimum SVNs and the status they earn.</summary>
public sealed class TcbLevel
{
    /// <summary>Minimum SGX TCB component SVNs (16).</summary>
    public required IReadOnlyList<int> SgxComponents { get; init; }

    /// <summary>Minimum PCE SVN.</summary>
    public required int PceSvn { get; init; }

    /// <summary>Minimum TDX TCB component SVNs (16), for TDX TCB info; empty for SGX.</summary>
    public required IReadOnlyList<int> TdxComponents { get; init; }

    /// <summary>The level's date.</summary>
    public required DateTimeOffset TcbDate { get; init; }

    /// <summary>The level's status.</summary>
    public required TcbStatus Status { get; init; }

    /// <summary>Advisories that apply at this level.</summary>
    public required IReadOnlyList<string> AdvisoryIds { get; init; }
}
