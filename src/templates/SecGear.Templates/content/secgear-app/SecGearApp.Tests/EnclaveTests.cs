using System.Text;
using SecGear.Host;

namespace SecGearApp.Tests;

public sealed class EnclaveTests
{
    private static readonly string Image = Path.Combine(AppContext.BaseDirectory, "SecGearApp.Enclave.sgimage");

    [Theory]
    [InlineData(EnclaveType.Simulation)]
    [InlineData(EnclaveType.InProcess)]
    public async Task Greet_answers_from_inside_the_enclave(EnclaveType engine)
    {
        await using Enclave enclave = Enclave.Create(Image, engine);
        var lines = new RecordingOcalls();
        var app = new AppProxy(enclave, lines);

        byte[] buffer = new byte[128];
        int length = app.Greet("tests", buffer);

        Assert.Equal("Hello, tests! (from the enclave)", Encoding.UTF8.GetString(buffer, 0, length));
        Assert.Contains(lines.Lines, l => l.Contains("greeting 'tests'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Greet_reports_a_buffer_too_small()
    {
        await using Enclave enclave = Enclave.Create(Image, EnclaveType.InProcess);
        var app = new AppProxy(enclave, new RecordingOcalls());

        Assert.Equal(-1, app.Greet("tests", new byte[4]));
    }

    [Theory]
    [InlineData(EnclaveType.Simulation)]
    [InlineData(EnclaveType.InProcess)]
    public async Task Sealed_secret_unseals_to_the_original(EnclaveType engine)
    {
        await using Enclave enclave = Enclave.Create(Image, engine);
        var app = new AppProxy(enclave, new RecordingOcalls());
        byte[] secret = Encoding.UTF8.GetBytes("a secret");

        byte[] blob = new byte[1024];
        int sealedLength = app.SealSecret(secret, blob);
        byte[] unsealed = new byte[secret.Length];
        int unsealedLength = app.UnsealSecret(blob.AsSpan(0, sealedLength), unsealed);

        Assert.Equal(secret.Length, unsealedLength);
        Assert.Equal(secret, unsealed);
    }

    private sealed class RecordingOcalls : IAppOcalls
    {
        public List<string> Lines { get; } = [];

        public void LogLine(string? line) => Lines.Add(line ?? string.Empty);
    }
}
