using System.Globalization;
using System.Text.RegularExpressions;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed partial class DiagnosticCatalogTests
{
    /// <summary>Diagnostics that need generated input (limits) or must never happen; each has its own test.</summary>
    private static readonly Dictionary<string, string> CoveredByCode = new()
    {
        ["SG0107"] = nameof(LimitTests.Ifdef_nesting_deeper_than_the_limit_is_reported_once),
        ["SG0206"] = nameof(ImportTests.Import_chain_deeper_than_the_limit_is_reported),
        ["SG0346"] = nameof(RealWorldEdlTests.Enumerator_naming_a_given_foreign_constant_takes_its_value_and_successors_count_up),
        ["SG0357"] = nameof(RealWorldEdlTests.Open_enclave_dialect_accepts_typedef_deep_copy_and_directionless_arrays_with_warnings),
        ["SG0358"] = nameof(RealWorldEdlTests.Open_enclave_dialect_accepts_typedef_deep_copy_and_directionless_arrays_with_warnings),
        ["SG0901"] = nameof(LimitTests.File_larger_than_the_limit_is_rejected_before_lexing),
        ["SG0902"] = nameof(LimitTests.Diagnostics_stop_after_the_limit_with_one_final_error),
        ["SG0999"] = nameof(FuzzTests.Random_token_soup_never_throws_hangs_or_reports_an_internal_error),
    };

    [GeneratedRegex("^SG0[0-9]{3}$")]
    private static partial Regex IdPattern();

    [Fact]
    public void Every_id_is_unique_and_in_the_compiler_range()
    {
        var ids = EdlDiagnosticDescriptors.All.Select(d => d.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(IdPattern(), id));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void All_lists_every_descriptor_field()
    {
        var fields = typeof(EdlDiagnosticDescriptors).GetFields()
            .Where(f => f.FieldType == typeof(EdlDiagnosticDescriptor))
            .Select(f => (EdlDiagnosticDescriptor)f.GetValue(null)!)
            .ToHashSet();

        Assert.Equal(fields.Count, EdlDiagnosticDescriptors.All.Count);
        Assert.Subset(fields, EdlDiagnosticDescriptors.All.ToHashSet());
    }

    [Fact]
    public void Every_message_format_accepts_its_arguments()
    {
        foreach (EdlDiagnosticDescriptor d in EdlDiagnosticDescriptors.All)
        {
            int placeholders = Regex.Matches(d.MessageFormat, @"\{(\d)\}").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
            object[] args = Enumerable.Range(0, placeholders).Select(i => (object)("a" + i)).ToArray();

            string message = string.Format(CultureInfo.InvariantCulture, d.MessageFormat, args);

            Assert.DoesNotContain("{", message.Replace("{ ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_diagnostic_is_proven_by_a_corpus_file_or_a_named_test()
    {
        var expected = new HashSet<string>();
        foreach (string file in Directory.GetFiles(CorpusCase.Root, "*.edl", SearchOption.AllDirectories))
        {
            foreach (string line in File.ReadAllLines(file))
            {
                if (line.TrimStart().StartsWith("// expect:", StringComparison.Ordinal))
                {
                    expected.Add(line.Trim()["// expect:".Length..].Trim()[..6]);
                }
            }
        }

        var missing = EdlDiagnosticDescriptors.All.Select(d => d.Id)
            .Where(id => !expected.Contains(id) && !CoveredByCode.ContainsKey(id))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_diagnostic_is_documented_in_docs_edl_md()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "edl.md"));

        var undocumented = EdlDiagnosticDescriptors.All
            .Select(d => "| " + d.Id + " | " + (d.Severity == EdlSeverity.Error ? "error" : "warning") + " | " + d.Title + " |")
            .Where(row => !docs.Contains(row, StringComparison.Ordinal))
            .ToList();

        Assert.Empty(undocumented);
    }

    [Fact]
    public void Diagnostic_prints_in_msbuild_canonical_form()
    {
        EdlCompilation result = EdlCompiler.Compile("dir/x.edl", "enclave { trusted { public void f(int* p); }; };");

        Assert.Equal(
            "dir/x.edl(1,35): error SG0301: parameter 'p' is a pointer or array and needs a direction ('in', 'out') or 'user_check'",
            Assert.Single(result.Diagnostics).ToString());
    }
}
