using System;
using System.Collections.Generic;
using System.IO;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Imports;

/// <summary>
/// Reads a root file and its imports and merges them in Intel edger8r order (DESIGN section 2, edl-grammar 5.7):
/// the file's own definitions, then for each import in text order the imported file merged the same way. Each file
/// is read and parsed once; cycles are found with a stack of open files.
/// </summary>
internal sealed class ImportResolver
{
    /// <summary>The deepest chain of imports followed.</summary>
    public const int MaxDepth = 32;

    /// <summary>The most distinct files one compilation reads.</summary>
    public const int MaxFiles = 256;

    private readonly EdlCompileOptions _options;
    private readonly ICollection<string> _defines;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, MergedUnit> _merged = new Dictionary<string, MergedUnit>(StringComparer.Ordinal);
    private readonly List<string> _open = new List<string>();
    private readonly List<string> _openDisplay = new List<string>();
    private int _filesRead;

    public ImportResolver(EdlCompileOptions options, DiagnosticBag diagnostics)
    {
        _options = options;
        _diagnostics = diagnostics;
        _defines = new HashSet<string>(options.Defines ?? Array.Empty<string>(), StringComparer.Ordinal);
    }

    public MergedUnit Resolve(string rootPath, string rootText)
    {
        EdlFileSyntax root = SourceParser.Parse(rootPath, rootText, _defines, _diagnostics);
        _filesRead = 1;
        return Merge(Key(rootPath), rootPath, root);
    }

    private MergedUnit Merge(string key, string displayPath, EdlFileSyntax file)
    {
        _open.Add(key);
        _openDisplay.Add(displayPath);
        var result = new MergedUnit { IsComplete = file.IsComplete, EnclaveLocation = file.EnclaveLocation };
        foreach (FunctionSyntax f in file.Functions)
        {
            result.Add(f);
        }

        foreach (StructSyntax s in file.Structs)
        {
            result.Add(s);
        }

        foreach (EnumSyntax e in file.Enums)
        {
            result.Add(e);
        }

        foreach (IncludeSyntax i in file.Includes)
        {
            result.Add(i);
        }

        foreach (ImportSyntax import in file.Imports)
        {
            MergedUnit? child = Load(import);
            if (child == null)
            {
                // Its functions are missing, so allow lists that name them must not be judged.
                result.IsComplete = false;
                continue;
            }

            result.AddTypesAndIncludes(child);
            if (import.Names == null)
            {
                foreach (FunctionSyntax f in child.Functions)
                {
                    result.Add(f);
                }

                continue;
            }

            // Intel order: the selected functions in the imported file's (merged) declaration order.
            var available = new HashSet<string>(StringComparer.Ordinal);
            foreach (FunctionSyntax f in child.Functions)
            {
                available.Add(f.Name);
            }

            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (Token name in import.Names)
            {
                wanted.Add(name.Text);
                if (!available.Contains(name.Text))
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.ImportedNameMissing, name.Location, name.Text, import.Path);
                }
            }

            foreach (FunctionSyntax f in child.Functions)
            {
                if (wanted.Contains(f.Name))
                {
                    result.Add(f);
                }
            }
        }

        _open.RemoveAt(_open.Count - 1);
        _openDisplay.RemoveAt(_openDisplay.Count - 1);
        return result;
    }

    private MergedUnit? Load(ImportSyntax import)
    {
        IEdlFileProvider? provider = _options.Files;
        if (provider == null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ImportNotFound, import.Location, import.Path, " (no file provider was given to the compiler)");
            return null;
        }

        List<string> candidates = Candidates(import.Path);
        string? foundPath = null;
        string? text = null;
        foreach (string candidate in candidates)
        {
            string candidateKey = Key(candidate);

            // A file already open or already merged exists; it is not read again.
            if (_open.Contains(candidateKey))
            {
                ReportCycle(import, candidateKey, candidate);
                return null;
            }

            if (_merged.TryGetValue(candidateKey, out MergedUnit? done))
            {
                return done;
            }

            text = TryRead(provider, candidate);
            if (text != null)
            {
                foundPath = candidate;
                break;
            }
        }

        if (foundPath == null || text == null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ImportNotFound, import.Location, import.Path, " (searched: " + string.Join(", ", candidates) + ")");
            return null;
        }

        string key = Key(foundPath);
        if (_open.Count >= MaxDepth)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ImportTooDeep, import.Location, "imports are nested deeper than " + MaxDepth + " files");
            return null;
        }

        if (_filesRead >= MaxFiles)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ImportTooDeep, import.Location, "more than " + MaxFiles + " files are imported");
            return null;
        }

        _filesRead++;
        EdlFileSyntax file = SourceParser.Parse(foundPath, text, _defines, _diagnostics);
        MergedUnit unit = Merge(key, foundPath, file);
        _merged[key] = unit;
        return unit;
    }

    private void ReportCycle(ImportSyntax import, string key, string path)
    {
        var chain = new List<string>();
        for (int i = _open.IndexOf(key); i < _openDisplay.Count; i++)
        {
            chain.Add(_openDisplay[i]);
        }

        chain.Add(path);
        _diagnostics.Report(EdlDiagnosticDescriptors.ImportCycle, import.Location, string.Join(" -> ", chain));
    }

    private List<string> Candidates(string importPath)
    {
        var result = new List<string>();
        if (IsRooted(importPath))
        {
            result.Add(importPath);
            return result;
        }

        IReadOnlyList<string> searchPaths = _options.SearchPaths ?? Array.Empty<string>();
        bool firstFirst = _options.ImportOrder == EdlImportOrder.FirstFirst;
        for (int k = 0; k < searchPaths.Count; k++)
        {
            int i = firstFirst ? k : searchPaths.Count - 1 - k;
            string? combined = Combine(searchPaths[i], importPath);
            if (combined != null && !result.Contains(combined))
            {
                result.Add(combined);
            }
        }

        if (!result.Contains(importPath))
        {
            result.Add(importPath);
        }

        return result;
    }

    private static string? TryRead(IEdlFileProvider provider, string path)
    {
        // The provider belongs to the caller; an I/O failure there means "not readable", never a crash.
        try
        {
            return provider.TryRead(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private static bool IsRooted(string path)
    {
        try
        {
            return Path.IsPathRooted(path);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? Combine(string directory, string path)
    {
        try
        {
            return Path.Combine(directory, path);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The identity of a file for cycle and duplicate detection: its full path when it has one.</summary>
    private static string Key(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (ArgumentException)
        {
            return path;
        }
        catch (NotSupportedException)
        {
            return path;
        }
        catch (PathTooLongException)
        {
            return path;
        }
        catch (System.Security.SecurityException)
        {
            return path;
        }
    }
}
