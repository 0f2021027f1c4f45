using System.CommandLine;
using System.Globalization;
using SecGear.Edl;

namespace SecGear.Cli.Commands;

/// <summary>
/// The switches <c>edl check</c> and <c>edl gen</c> share: everything the MSBuild path can tell the compiler (search
/// paths, defines, foreign type sizes, library mode, warnings as errors) plus the Open Enclave dialect and import order.
/// </summary>
internal sealed class EdlCompileSwitches
{
    private readonly Option<string[]> _include = new("-I", "--search-path") { Description = "Directory searched for imported EDL files (repeatable; see --import-order).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _define = new("-D", "--define") { Description = "Name defined for #ifdef/#ifndef (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _foreignType = new("--foreign-type") { Description = "Size in bytes of a C type the EDL uses but does not define, as NAME=SIZE (repeatable), e.g. sgx_report_t=432.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<FileInfo[]> _foreignTypes = new("--foreign-types") { Description = "File of NAME=SIZE lines (blank lines and # comments ignored), the same as one --foreign-type per line (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _foreignConst = new("--foreign-const") { Description = "Value of a C constant an enumerator names (X = NAME), as NAME=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _library = new("--library") { Description = "The file is an import-only library: no public ECALL is required (SG0325 off)." };
    private readonly Option<bool> _warnAsError = new("--warnaserror", "-W") { Description = "Report every warning as an error (exit code 1)." };
    private readonly Option<string> _dialect = new("--dialect") { Description = "intel (default) or openenclave: accept oeedger8r's relaxations (deep-copy structs by typedef name, arrays without a direction) as warnings.", DefaultValueFactory = _ => "intel" };
    private readonly Option<string> _importOrder = new("--import-order") { Description = "last-first (default, Intel edger8r: the last -I is searched first) or first-first (Open Enclave: the first -I wins).", DefaultValueFactory = _ => "last-first" };

    public EdlCompileSwitches()
    {
        _dialect.AcceptOnlyFromAmong("intel", "openenclave");
        _importOrder.AcceptOnlyFromAmong("last-first", "first-first");
    }

    /// <summary>Adds every switch to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_include, _define, _foreignType, _foreignTypes, _foreignConst, _library, _warnAsError, _dialect, _importOrder])
        {
            command.Add(option);
        }
    }

    /// <summary>The compile options the parsed switches describe.</summary>
    /// <exception cref="CliUsageException">A NAME=SIZE or NAME=VALUE entry is malformed, or a list file cannot be read.</exception>
    public EdlCompileOptions ToOptions(ParseResult parse)
    {
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in parse.GetValue(_foreignTypes) ?? [])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"--foreign-types: cannot read '{file.FullName}': {ex.Message}");
            }

            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Split('#', 2)[0].Trim();
                if (line.Length > 0)
                {
                    AddSize(sizes, line, $"--foreign-types {file.Name} line {i + 1}");
                }
            }
        }

        foreach (var entry in parse.GetValue(_foreignType) ?? [])
        {
            AddSize(sizes, entry, "--foreign-type");
        }

        var constants = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in parse.GetValue(_foreignConst) ?? [])
        {
            var (name, text) = Split(entry, "--foreign-const", "NAME=VALUE");
            constants[name] = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw new CliUsageException($"--foreign-const '{entry}': the value '{text}' is not a decimal integer.");
        }

        return new EdlCompileOptions
        {
            SearchPaths = parse.GetValue(_include) ?? [],
            Defines = parse.GetValue(_define) ?? [],
            Files = new EdlDiskFileProvider(),
            ForeignTypeSizes = sizes,
            ForeignConstants = constants,
            RequirePublicEcall = !parse.GetValue(_library),
            TreatWarningsAsErrors = parse.GetValue(_warnAsError),
            Dialect = parse.GetValue(_dialect) == "openenclave" ? EdlDialect.OpenEnclave : EdlDialect.Intel,
            ImportOrder = parse.GetValue(_importOrder) == "first-first" ? EdlImportOrder.FirstFirst : EdlImportOrder.LastFirst,
        };
    }

    private static void AddSize(Dictionary<string, int> sizes, string entry, string source)
    {
        var (name, text) = Split(entry, source, "NAME=SIZE");
        sizes[name] = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size > 0
            ? size
            : throw new CliUsageException($"{source} '{entry}': the size '{text}' is not a positive decimal number of bytes.");
    }

    private static (string Name, string Value) Split(string entry, string source, string form)
    {
        int equals = entry.IndexOf('=', StringComparison.Ordinal);
        string name = equals < 0 ? "" : entry[..equals].Trim();
        if (equals < 0 || name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
        {
            throw new CliUsageException($"{source} '{entry}' is not {form} with a C identifier as NAME.");
        }

        return (name, entry[(equals + 1)..].Trim());
    }
}
