namespace SecGear.Cli.Tests;

/// <summary>
/// The exit-code rule of docs/cli.md: 2 for a command line that cannot mean anything, 1 for an operation that failed
/// (a missing or unreadable file included), every error one line naming what is wrong.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void An_unknown_command_is_named_first_and_exits_2()
    {
        var (code, _, error) = _cli.Run("frobnicate");

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.StartsWith("secgear: error: unknown command 'frobnicate'; the commands are keygen, sign, measure", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_subcommand_is_named_with_the_command_it_belongs_to()
    {
        var (code, _, error) = _cli.Run("service", "policy", "frobnicate");

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.StartsWith("secgear: error: unknown command 'frobnicate' for 'secgear service policy'; its commands are put, get, list, delete", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_still_a_usage_error()
    {
        var (code, _, error) = _cli.Run("keygen", "--out", _cli.Path("k.pem"), "--frobnicate");

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.Contains("'--frobnicate'", error.Split('\n')[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("measure")]
    [InlineData("inspect")]
    [InlineData("edl")]
    public void An_unknown_option_where_a_file_argument_is_expected_is_a_usage_error_not_a_missing_file(string command)
    {
        string[] args = command == "edl" ? ["edl", "check", "--bogus"] : [command, "--bogus"];

        var (code, _, error) = _cli.Run(args);

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.Contains($"unknown option '--bogus' for 'secgear {string.Join(' ', args[..^1])}'", error.Split('\n')[0], StringComparison.Ordinal);
    }

    public static TheoryData<string[]> MissingFile => new()
    {
        { ["measure", "{missing}"] },
        { ["inspect", "{missing}"] },
        { ["verify", "--evidence", "{missing}"] },
        { ["attest", "--enclave", "{missing}", "--out", "{out}"] },
        { ["attest", "--enclave", "{missing}", "--out", "{out}", "--nonce-file", "{missing}"] },
        { ["sign", "--name", "x", "--entry", "a.dll", "--input", "{out}", "--key", "{missing}", "--out", "{out}"] },
        { ["service", "--url", "http://127.0.0.1:9", "--api-key-file", "{missing}", "challenge"] },
        { ["service", "--url", "http://127.0.0.1:9", "challenge", "--runtime-data", "{missing}"] },
    };

    [Theory]
    [MemberData(nameof(MissingFile))]
    public void A_missing_input_file_exits_1_with_one_line_for_every_command(string[] template)
    {
        File.WriteAllText(_cli.Path("out"), "x");
        var (code, _, error) = _cli.Run(Fill(template));

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(_cli.Path("missing"), error, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> DirectoryAsFile => new()
    {
        { ["measure", "{dir}"], "image" },
        { ["inspect", "{dir}"], "image" },
        { ["verify", "--evidence", "{dir}"], "--evidence" },
        { ["attest", "--enclave", "{dir}", "--out", "{out}"], "--enclave" },
        { ["attest", "--enclave", "{out}", "--out", "{dir}"], "--out" },
        { ["sign", "--name", "x", "--entry", "a.dll", "--input", "{out}", "--key", "{dir}", "--out", "{out}"], "--key" },
        { ["edl", "check", "{dir}"], "file" },
        { ["service", "--url", "http://127.0.0.1:9", "--api-key-file", "{dir}", "challenge"], "--api-key-file" },
        { ["crypto", "--url", "http://127.0.0.1:9", "--credential-file", "{dir}", "key", "list"], "--credential-file" },
    };

    [Theory]
    [MemberData(nameof(DirectoryAsFile))]
    public void A_directory_given_where_a_file_is_expected_is_named_as_a_directory(string[] template, string option)
    {
        File.WriteAllText(_cli.Path("out"), "x");
        var (code, _, error) = _cli.Run(Fill(template));

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains($"{option} '{_cli.Path("dir")}' is a directory; a file is expected", error, StringComparison.Ordinal);
    }

    private string[] Fill(string[] template)
    {
        Directory.CreateDirectory(_cli.Path("dir"));
        return [.. template.Select(a => a.Replace("{missing}", _cli.Path("missing"), StringComparison.Ordinal)
            .Replace("{dir}", _cli.Path("dir"), StringComparison.Ordinal)
            .Replace("{out}", _cli.Path("out"), StringComparison.Ordinal))];
    }
}
