using Microsoft.Extensions.Logging;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>
/// What an exception thrown inside an ECALL tells the host (docs/threat-model.md, "Exceptions across the boundary"):
/// the type always; the message only from a debug enclave; otherwise the message goes to the enclave's log.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class EcallErrorDisclosureTests(TestImages images)
{
    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_production_enclave_sends_the_exception_type_but_keeps_the_message_inside_and_logs_it(EnclaveType type)
    {
        var logs = new CapturingLoggerFactory();
        using Enclave enclave = Enclave.Create(images.Production, type, EnclaveFlags.None, new EnclaveOptions { LoggerFactory = logs });
        var client = new TestClient(enclave, new TestOcalls());

        var ex = Assert.Throws<EcallFailedException>(() => client.Throw("the launch code is 0000"));

        Assert.Equal(typeof(InvalidOperationException).FullName, ex.RemoteType);
        Assert.DoesNotContain("0000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ECALL 'throw_ecall' threw System.InvalidOperationException inside the enclave", ex.Message, StringComparison.Ordinal);
        string errorId = System.Text.RegularExpressions.Regex.Match(ex.Message, @"\(error ([0-9a-f]{12})\)").Groups[1].Value;
        Assert.NotEmpty(errorId);

        // The enclave's log line carries the message under the same error id (the simulation runner sends it on its pipe).
        (string Category, LogLevel Level, string Message) line = WaitForLog(logs, m => m.Message.Contains(errorId, StringComparison.Ordinal));
        Assert.Equal(("SecGear.Trusted.EcallErrors", LogLevel.Error), (line.Category, line.Level));
        Assert.Contains("the launch code is 0000", line.Message, StringComparison.Ordinal);
        client.Empty();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_debug_enclave_sends_the_full_message(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.Debug);
        var client = new TestClient(enclave, new TestOcalls());

        var ex = Assert.Throws<EcallFailedException>(() => client.Throw("boom"));

        Assert.Equal(typeof(InvalidOperationException).FullName, ex.RemoteType);
        Assert.StartsWith("boom", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_debug_image_created_without_the_debug_flag_withholds_the_message(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.None);
        var client = new TestClient(enclave, new TestOcalls());

        var ex = Assert.Throws<EcallFailedException>(() => client.Throw("boom"));

        Assert.Equal(typeof(InvalidOperationException).FullName, ex.RemoteType);
        Assert.DoesNotContain("boom", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Runtime_errors_keep_their_message_in_a_production_enclave(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Production, type);
        var client = new TestClient(enclave, new TestOcalls());
        byte[] blob = client.Seal([1, 2, 3]);
        blob[^1] ^= 1;

        var ex = Assert.Throws<EcallFailedException>(() => client.Unseal(blob));

        Assert.Equal(typeof(SecGear.Trusted.Sealing.UnsealException).FullName, ex.RemoteType);
        Assert.DoesNotContain("stays inside the enclave", ex.Message, StringComparison.Ordinal);
    }

    private static (string Category, LogLevel Level, string Message) WaitForLog(CapturingLoggerFactory logs, Func<(string Category, LogLevel Level, string Message), bool> match)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (var m in logs.Messages)
            {
                if (match(m))
                {
                    return m;
                }
            }

            Thread.Sleep(10);
        }

        Assert.Fail("the enclave's log line never arrived: " + string.Join(" | ", logs.Messages.Select(m => m.Message)));
        return default;
    }
}
