using System.Collections.Generic;
using System.Globalization;
using SecGear.Edl.Model;

namespace SecGear.Edl.Diagnostics
{
    /// <summary>
    /// Collects diagnostics. Past <see cref="MaxDiagnostics"/> it records one final "too many" error and drops the
    /// rest, so hostile input cannot make the output grow without bound.
    /// </summary>
    internal sealed class DiagnosticBag
    {
        public const int MaxDiagnostics = 200;

        private readonly List<EdlDiagnostic> items = new List<EdlDiagnostic>();
        private bool truncated;

        public IReadOnlyList<EdlDiagnostic> Items => items;

        public bool IsFull => truncated;

        public bool HasErrors => ErrorCount > 0;

        /// <summary>Errors reported so far (a stage compares it before and after itself).</summary>
        public int ErrorCount { get; private set; }

        public void Report(EdlDiagnosticDescriptor descriptor, SourceLocation location, params object[] args)
        {
            if (truncated)
            {
                return;
            }

            if (items.Count >= MaxDiagnostics)
            {
                truncated = true;
                ErrorCount++;
                items.Add(Create(EdlDiagnosticDescriptors.TooManyDiagnostics, location, MaxDiagnostics));
                return;
            }

            EdlDiagnostic d = Create(descriptor, location, args);
            if (d.Severity == EdlSeverity.Error)
            {
                ErrorCount++;
            }

            items.Add(d);
        }

        private static EdlDiagnostic Create(EdlDiagnosticDescriptor descriptor, SourceLocation location, params object[] args)
        {
            string message = args.Length == 0
                ? descriptor.MessageFormat
                : string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args);
            return new EdlDiagnostic(descriptor.Id, descriptor.Severity, message, location);
        }
    }
}
