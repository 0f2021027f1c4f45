namespace SecGear.Attestation.Intel;

/// <summary>A TCB level keyed by a single ISVSVN (QE identity levels, TDX module identity levels).</summary>
public sealed class IsvTcbLevel
{
    /// <summary>Minimum ISVSVN.</summary>
    public required int IsvSvn { get; init; }

    /// <summary>The level's date.</summary>
    public required DateTimeOffset TcbDate { get; init; }

    /// <summary>The level's status.</summary>
    public required TcbStatus Status { get; init; }

    /// <summary>Advisories that apply at this level.</summary>
    public required IReadOnlyList<string> AdvisoryIds { get; init; }

    /// <summary>The first level whose ISVSVN is at most <paramref name="isvSvn"/> (levels are best first), or null.</summary>
    public static IsvTcbLevel? Match(IReadOnlyList<IsvTcbLevel> levels, int isvSvn)
    {
        ArgumentNullException.ThrowIfNull(levels);
        foreach (var level in levels)
        {
            if (level.IsvSvn <= isvSvn)
            {
                return level;
            }
        }

        return null;
    }
}
