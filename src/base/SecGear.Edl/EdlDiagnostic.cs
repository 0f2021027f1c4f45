using SecGear.Edl.Model;

namespace SecGear.Edl;

/// <summary>Severity of an EDL diagnostic.</summary>
public enum EdlSeverity
{
    /// <summary>The EDL compiles; the construct is suspect (e.g. not portable across the boundary).</summary>
    Warning,

    /// <summary>The EDL does not compile; no code is generated.</summary>
    Error,
}

/// <summary>
/// One EDL diagnostic with a stable id (<c>SGnnnn</c>). <see cref="ToString"/> gives the MSBuild canonical form
/// <c>file(line,col): error SGnnnn: message</c>.
/// </summary>
public sealed record EdlDiagnostic(string Id, EdlSeverity Severity, string Message, SourceLocation Location)
{
    /// <inheritdoc />
    public override string ToString() =>
        Location + ": " + (Severity == EdlSeverity.Error ? "error " : "warning ") + Id + ": " + Message;
}
