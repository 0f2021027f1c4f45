namespace SecGear.Samples.Tests;

public sealed class SwitchlessTests
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("Switchless", "Switchless.Host"), "Switchless.Host.dll");

    [Fact]
    public void Switchless_sample_times_regular_switchless_and_async_calls_and_reads_a_shared_buffer()
    {
        string image = Path.Combine(SampleRun.OutputDirectory("Switchless", "Switchless.Host"), "Switchless.Enclave.sgimage");

        var (code, output, error) = SampleRun.Run(HostDll, image, "2000");

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("engine:                 simulation", output);
        Assert.Contains("enclave: add_one runs on thread 'enclave thread", output);
        Assert.Contains("enclave: add_one runs on thread 'switchless trusted worker", output);
        Assert.Matches(@"regular ECALL: +[0-9.]+ us/call", output);
        Assert.Matches(@"switchless ECALL: +[0-9.]+ us/call \([0-9.]+x faster\)", output);
        Assert.Matches(@"async switchless ECALL: +[0-9.]+ us/call, 16 in flight", output);
        Assert.Contains("shared 1 MiB buffer:    sum matches", output);
        Assert.Matches(@"switchless counters: +[1-9][0-9]* processed", output);
    }
}
