using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>
/// <c>include "x.h"</c>. At top level it serves both sides; inside a trusted or untrusted block (Intel form) only
/// that side.
/// </summary>
internal sealed class IncludeSyntax
{
    public IncludeSyntax(string header, bool? trustedSide, SourceLocation location)
    {
        Header = header;
        TrustedSide = trustedSide;
        Location = location;
    }

    public string Header { get; }

    /// <summary>null: both sides; true: trusted block; false: untrusted block.</summary>
    public bool? TrustedSide { get; }

    public SourceLocation Location { get; }
}
