using System.Text.RegularExpressions;

namespace SecGear.Samples.Tests;

/// <summary>
/// Code blocks of a docs page that tests run: a block right after <c>&lt;!-- output: NAME --&gt;</c> is a program's
/// expected output (<c>...</c> matches anything within a line), one after <c>&lt;!-- file: PATH --&gt;</c> is a file
/// to create.
/// </summary>
internal static class DocumentedOutput
{
    public static string Page(string name) => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", name));

    /// <summary>The block after <c>&lt;!-- {kind}: {name} --&gt;</c>.</summary>
    public static string Block(string page, string kind, string name)
    {
        string marker = $"<!-- {kind}: {name} -->";
        int at = page.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the page has no '{marker}'");
        int open = page.IndexOf("```", at, StringComparison.Ordinal);
        int start = page.IndexOf('\n', open) + 1;
        int end = page.IndexOf("\n```", start, StringComparison.Ordinal);
        return page[start..end] + "\n";
    }

    /// <summary>Every <c>&lt;!-- file: PATH --&gt;</c> block, by path.</summary>
    public static Dictionary<string, string> Files(string page) =>
        Regex.Matches(page, @"<!-- file: (\S+) -->").Select(m => m.Groups[1].Value).ToDictionary(p => p, p => Block(page, "file", p), StringComparer.Ordinal);

    /// <summary>
    /// Asserts that <paramref name="actual"/> has exactly the documented lines, "..." matching any text. Logger lines
    /// ("info: ...") are written by the console logger's own thread, so they are matched in order among themselves only.
    /// </summary>
    public static void AssertMatches(string documented, string actual)
    {
        string[] expected = documented.TrimEnd('\n').Split('\n');
        string[] lines = actual.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        Compare([.. expected.Where(l => !IsLog(l))], [.. lines.Where(l => !IsLog(l))], actual);
        Compare([.. expected.Where(IsLog)], [.. lines.Where(IsLog)], actual);
    }

    private static bool IsLog(string line) => Regex.IsMatch(line, "^(trce|dbug|info|warn|fail|crit): ");

    private static void Compare(string[] expected, string[] lines, string actual)
    {
        Assert.True(expected.Length == lines.Length, $"documented {expected.Length} lines, printed {lines.Length}:\n{actual}");
        for (int i = 0; i < expected.Length; i++)
        {
            string pattern = "^" + string.Join(".*", expected[i].Split("...").Select(Regex.Escape)) + "$";
            Assert.True(Regex.IsMatch(lines[i], pattern), $"documented '{expected[i]}', printed '{lines[i]}'");
        }
    }
}
