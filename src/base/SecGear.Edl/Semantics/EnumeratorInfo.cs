using SecGear.Edl.Model;

namespace SecGear.Edl.Semantics;

/// <summary>A resolved enumerator: its value, whether that value was written as a literal, and where it is.</summary>
internal sealed class EnumeratorInfo
{
    public EnumeratorInfo(long value, bool isLiteral, SourceLocation location)
    {
        Value = value;
        IsLiteral = isLiteral;
        Location = location;
    }

    public long Value { get; }

    public bool IsLiteral { get; }

    public SourceLocation Location { get; }

    /// <summary>The C expression of a value EDL cannot see (<c>NAME</c> or <c>NAME+n</c>), or null when <see cref="Value"/> is known.</summary>
    public string? ForeignValue { get; set; }
}
