using System.CommandLine;
using System.Text;

namespace SecGear.Cli.Tests;

/// <summary>
/// docs/cli.md carries every command's own <c>--help</c> below a marker; this test fails when the commands changed
/// and the page did not. build/gen-cli-docs.sh rewrites the page (it runs this test with SECGEAR_UPDATE_CLI_DOCS=1).
/// </summary>
public sealed class CliReferenceTests
{
    /// <summary>Everything below this line in docs/cli.md is generated.</summary>
    public const string Marker = "<!-- Generated from the commands' own --help by build/gen-cli-docs.sh; do not edit below this line. -->";

    [Fact]
    public void Docs_cli_md_matches_the_help_of_every_command()
    {
        string path = RepositoryRoot.Combine("docs", "cli.md");
        string page = File.ReadAllText(path);
        int marker = page.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(marker >= 0, $"docs/cli.md has no generated section (the marker line '{Marker}')");
        string expected = page[..marker] + Marker + "\n" + Reference();

        if (Environment.GetEnvironmentVariable("SECGEAR_UPDATE_CLI_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(expected == page, "docs/cli.md is stale: run build/gen-cli-docs.sh and commit the result.");
    }

    [Fact]
    public void The_reference_covers_every_command_and_subcommand()
    {
        string reference = Reference();
        foreach (string[] path in Commands(SecGearCli.CreateRootCommand(), []))
        {
            Assert.Contains($"\n## secgear {string.Join(' ', path)}\n", "\n" + reference, StringComparison.Ordinal);
        }
    }

    /// <summary>One section per command, depth first, each with the command's help as the CLI prints it.</summary>
    private static string Reference()
    {
        var text = new StringBuilder();
        using var cli = new CliRun();
        foreach (string[] path in Commands(SecGearCli.CreateRootCommand(), []).Prepend([]))
        {
            string name = path.Length == 0 ? "secgear" : "secgear " + string.Join(' ', path);
            text.Append('\n').Append("## ").Append(name).Append("\n\n```text\n");
            // The root command is named after the running executable: the test host here, secgear when installed.
            string help = cli.Ok([.. path, "--help"]).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
            help = help.Replace($"  {RootCommand.ExecutableName} ", "  secgear ", StringComparison.Ordinal);
            text.Append(help).Append("\n```\n");
        }

        return text.ToString();
    }

    private static IEnumerable<string[]> Commands(Command command, string[] prefix)
    {
        foreach (Command sub in command.Subcommands)
        {
            string[] path = [.. prefix, sub.Name];
            yield return path;
            foreach (string[] nested in Commands(sub, path))
            {
                yield return nested;
            }
        }
    }
}
