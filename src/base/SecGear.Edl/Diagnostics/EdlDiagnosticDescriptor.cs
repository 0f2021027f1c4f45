namespace SecGear.Edl.Diagnostics;

/// <summary>One kind of EDL diagnostic: a stable id, its severity and a message format (<c>string.Format</c> style).</summary>
internal sealed class EdlDiagnosticDescriptor
{
    public EdlDiagnosticDescriptor(string id, EdlSeverity severity, string title, string messageFormat)
    {
        Id = id;
        Severity = severity;
        Title = title;
        MessageFormat = messageFormat;
    }

    public string Id { get; }

    public EdlSeverity Severity { get; }

    /// <summary>A short name of the rule, used in docs.</summary>
    public string Title { get; }

    public string MessageFormat { get; }
}
