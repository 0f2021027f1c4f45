using System.Text.RegularExpressions;

namespace SecGear.Samples.Tests;

/// <summary>
/// Docs link only inside the repository: every relative link in README.md and docs/**.md resolves to a file or folder
/// of the repository, and none leaves it (../shared, absolute paths, file: URLs).
/// </summary>
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Pages()
    {
        string root = RepositoryRoot.Path;
        var pages = new TheoryData<string>();
        pages.Add("README.md");
        foreach (string file in Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(root, file));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves_inside_the_repository(string page)
    {
        string root = Path.GetFullPath(RepositoryRoot.Path);
        string file = Path.Combine(root, page);
        var broken = new List<string>();
        foreach (string target in Links(File.ReadAllText(file)))
        {
            if (UrlScheme().IsMatch(target) && !target.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                continue; // a web link, not a path
            }

            string path = target.Split('#')[0];
            if (path.Length == 0)
            {
                continue; // an anchor in the same page
            }

            string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(path)));
            if (target.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || Path.IsPathRooted(path)
                || !resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                broken.Add($"{target} (leaves the repository)");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target} (no such file)");
            }
        }

        Assert.True(broken.Count == 0, $"{page}: " + string.Join("; ", broken));
    }

    [Fact]
    public void The_checker_catches_a_link_to_shared_and_a_missing_file()
    {
        Assert.Equal(["../shared/testvectors", "missing.md#x", "a.md"], Links("see [vectors](../shared/testvectors), [m](missing.md#x) and [a]: a.md"));
    }

    /// <summary>Targets of inline links <c>[text](target)</c> and reference definitions <c>[id]: target</c>, outside code.</summary>
    private static List<string> Links(string markdown)
    {
        string prose = InlineCode().Replace(FencedCode().Replace(markdown, ""), "");
        return [.. InlineLink().Matches(prose).Select(m => m.Groups[1].Value)
            .Concat(ReferenceLink().Matches(prose).Select(m => m.Groups[1].Value))];
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"\[[^\]\n]+\]:\s+(\S+)")]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UrlScheme();
}
