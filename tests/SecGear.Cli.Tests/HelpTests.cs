namespace SecGear.Cli.Tests;

public sealed class HelpTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Help_lists_every_subcommand_and_exits_zero()
    {
        var help = _cli.Ok("--help");
        foreach (var command in new[] { "keygen", "sign", "measure", "inspect", "platform" })
        {
            Assert.Contains(command, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Sign_help_documents_the_one_step_and_two_step_options()
    {
        var help = _cli.Ok("sign", "--help");
        foreach (var option in new[] { "--manifest", "--input", "--key", "--digest-out", "--signature", "--public-key", "--out" })
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }
}
