using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class CorpusTests
{
    public static IEnumerable<object[]> ValidFiles => CorpusCase.In("Valid");

    public static IEnumerable<object[]> InvalidFiles => CorpusCase.In("Invalid");

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Valid_corpus_file_compiles_to_a_contract_with_exactly_its_expected_warnings(string file)
    {
        CorpusCase c = CorpusCase.Load(file);
        EdlCompilation result = c.Compile();

        Assert.Equal(c.Expected.Order(StringComparer.Ordinal), result.Diagnostics.Select(c.Describe).Order(StringComparer.Ordinal));
        Assert.False(result.HasErrors);
        Assert.NotNull(result.Contract);
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Invalid_corpus_file_reports_exactly_its_expected_diagnostics_and_no_contract(string file)
    {
        CorpusCase c = CorpusCase.Load(file);
        EdlCompilation result = c.Compile();

        Assert.NotEmpty(c.Expected);
        Assert.Equal(c.Expected.Order(StringComparer.Ordinal), result.Diagnostics.Select(c.Describe).Order(StringComparer.Ordinal));
        Assert.True(result.HasErrors);
        Assert.Null(result.Contract);
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Invalid_corpus_file_is_named_after_a_diagnostic_it_expects(string file)
    {
        CorpusCase c = CorpusCase.Load(file);
        string id = Path.GetFileName(file)[..6];

        Assert.Contains(c.Expected, e => e.StartsWith(id + " ", StringComparison.Ordinal));
    }
}
