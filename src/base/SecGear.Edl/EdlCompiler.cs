using System;
using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Imports;
using SecGear.Edl.Model;
using SecGear.Edl.Semantics;

namespace SecGear.Edl;

/// <summary>Entry point: lexes, preprocesses, parses, resolves imports and checks an EDL file.</summary>
public static class EdlCompiler
{
    /// <summary>
    /// Compiles the EDL file <paramref name="path"/> whose text is <paramref name="text"/>. Never throws on bad
    /// input: every problem becomes a diagnostic.
    /// </summary>
    /// <param name="path">The root file's path as it should appear in diagnostics; also the base of its identity for import cycles.</param>
    /// <param name="text">The root file's text.</param>
    /// <param name="options">Search paths, defines, the import reader and checks; null means defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="text"/> is null.</exception>
    public static EdlCompilation Compile(string path, string text, EdlCompileOptions? options = null)
    {
        if (path == null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        if (text == null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        options ??= new EdlCompileOptions();
        var diagnostics = new DiagnosticBag();
        EdlContract? contract;
        try
        {
            MergedUnit unit = new ImportResolver(options, diagnostics).Resolve(path, text);
            contract = Checker.Check(path, unit, options, diagnostics);
        }
        catch (Exception ex) when (!(ex is OutOfMemoryException))
        {
            // A bug in the compiler must not take the build (or the IDE) down with it; it becomes a diagnostic
            // that says so. The fuzz tests assert this never happens.
            diagnostics.Report(EdlDiagnosticDescriptors.InternalError, new SourceLocation(path, 1, 1), ex.GetType().Name);
            contract = null;
        }

        IReadOnlyList<EdlDiagnostic> list = diagnostics.Items;
        if (options.TreatWarningsAsErrors)
        {
            var promoted = new List<EdlDiagnostic>(list.Count);
            foreach (EdlDiagnostic d in list)
            {
                promoted.Add(d.Severity == EdlSeverity.Warning ? d with { Severity = EdlSeverity.Error } : d);
                if (d.Severity == EdlSeverity.Warning)
                {
                    contract = null;
                }
            }

            list = promoted;
        }

        return new EdlCompilation(contract, list);
    }
}
