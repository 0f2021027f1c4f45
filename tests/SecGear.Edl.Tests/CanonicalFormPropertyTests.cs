using System.Text;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Syntax;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

/// <summary>
/// Metamorphic property: re-spacing a valid EDL (any whitespace, comments or line endings between its tokens)
/// never changes its contract, so never changes the contract hash.
/// </summary>
public sealed class CanonicalFormPropertyTests
{
    private static readonly string[] Separators = [" ", "\n", "\t", "\r\n", " /* x */ ", " // x\n", "\f", "\v", "\n\n  "];

    public static IEnumerable<object[]> ValidFiles => CorpusCase.In("Valid");

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Respacing_a_valid_file_keeps_its_canonical_form(string file)
    {
        CorpusCase c = CorpusCase.Load(file);
        string expected = EdlCanonicalForm.Of(c.Compile().Contract!);
        List<Token> tokens = Lexer.Tokenize(c.FullPath, c.Text, new DiagnosticBag());

        for (int seed = 0; seed < 25; seed++)
        {
            var random = new Random(seed);
            var sb = new StringBuilder();
            foreach (Token t in tokens.Where(t => t.Kind != TokenKind.EndOfFile))
            {
                sb.Append(t.Kind == TokenKind.String ? "\"" + t.Text + "\"" : t.Text);
                sb.Append(Separators[random.Next(Separators.Length)]);
            }

            EdlCompilation respaced = EdlCompiler.Compile(c.FullPath, sb.ToString(), c.Options);

            Assert.False(respaced.HasErrors, file + " seed " + seed + ": " + string.Join("\n", respaced.Diagnostics));
            Assert.Equal(expected, EdlCanonicalForm.Of(respaced.Contract!));
        }
    }

    [Fact]
    public void Canonical_form_of_the_all_constructs_corpus_file_is_stable()
    {
        // Changing this text changes every contract hash: host and enclave built before and after stop talking.
        string golden = File.ReadAllText(Path.Combine(CorpusCase.Root, "Valid", "all_constructs.canonical.txt"));

        string actual = EdlCanonicalForm.Of(CorpusCase.Load(Path.Combine("Valid", "all_constructs.edl")).Compile().Contract!);

        Assert.Equal(golden.ReplaceLineEndings("\n"), actual);
    }
}
