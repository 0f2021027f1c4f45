using System.Collections.Generic;
using System.Globalization;
using SecGear.Edl.Model;

namespace SecGear.Edl.Diagnostics;

/// <summary>
/// Collects diagnostics. Past <see cref="MaxDiagnostics"/> it records one final "too many" diagnostic (SG0902) and
/// drops the rest, so hostile input cannot make the output grow without bound. SG0902 is an error only when an error
/// was reported (shown or dropped): a file with only warnings never fails because of their number.
/// </summary>
internal sealed class DiagnosticBag
{
    public const int MaxDiagnostics = 200;

    private readonly List<EdlDiagnostic> _items = new List<EdlDiagnostic>();
    private bool _truncated;

    public IReadOnlyList<EdlDiagnostic> Items => _items;

    public bool IsFull => _truncated;

    public bool HasErrors => ErrorCount > 0;

    /// <summary>Errors reported so far (a stage compares it before and after itself).</summary>
    public int ErrorCount { get; private set; }

    public void Report(EdlDiagnosticDescriptor descriptor, SourceLocation location, params object[] args)
    {
        if (_truncated)
        {
            // Not shown, but still counted: an error past the cap must fail the compilation, and a file with
            // only warnings must never fail because of how many there are.
            if (descriptor.Severity == EdlSeverity.Error)
            {
                ErrorCount++;
                _items[_items.Count - 1] = _items[_items.Count - 1] with { Severity = EdlSeverity.Error };
            }

            return;
        }

        if (_items.Count >= MaxDiagnostics)
        {
            _truncated = true;
            _items.Add(Create(EdlDiagnosticDescriptors.TooManyDiagnostics, location, MaxDiagnostics) with
            {
                Severity = ErrorCount > 0 ? EdlSeverity.Error : EdlSeverity.Warning,
            });
            Report(descriptor, location, args);
            return;
        }

        EdlDiagnostic d = Create(descriptor, location, args);
        if (d.Severity == EdlSeverity.Error)
        {
            ErrorCount++;
        }

        _items.Add(d);
    }

    private static EdlDiagnostic Create(EdlDiagnosticDescriptor descriptor, SourceLocation location, params object[] args)
    {
        string message = args.Length == 0
            ? descriptor.MessageFormat
            : string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args);
        return new EdlDiagnostic(descriptor.Id, descriptor.Severity, message, location);
    }
}
