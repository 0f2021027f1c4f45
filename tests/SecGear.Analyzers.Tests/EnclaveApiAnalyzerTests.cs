namespace SecGear.Analyzers.Tests;

public class EnclaveApiAnalyzerTests
{
    private const string Calc = "public sealed class Calc : ICalcEcalls { public int Add(int a, int b) => a + b; }\n";

    [Theory]
    [InlineData("System.IO.File.ReadAllText(\"/etc/passwd\")", "SG2020", "System.IO.File.ReadAllText")]
    [InlineData("System.IO.Directory.GetFiles(\"/\")", "SG2020", "System.IO.Directory.GetFiles")]
    [InlineData("new System.IO.FileStream(\"x\", System.IO.FileMode.Open)", "SG2020", "new System.IO.FileStream")]
    [InlineData("new System.IO.StreamReader(\"x\")", "SG2020", "new System.IO.StreamReader")]
    [InlineData("System.Diagnostics.Process.Start(\"ls\")", "SG2021", "System.Diagnostics.Process.Start")]
    [InlineData("new System.Net.Http.HttpClient()", "SG2022", "new System.Net.Http.HttpClient")]
    [InlineData("new System.Net.Sockets.TcpClient()", "SG2022", "new System.Net.Sockets.TcpClient")]
    [InlineData("System.Net.Dns.GetHostAddresses(\"example.org\")", "SG2022", "System.Net.Dns.GetHostAddresses")]
    [InlineData("new System.Func<int>(() => { System.Environment.Exit(3); return 0; })", "SG2023", "System.Environment.Exit")]
    [InlineData("new System.Func<int>(() => { System.Console.WriteLine(\"hi\"); return 0; })", "SG2024", "System.Console.WriteLine")]
    public void An_api_that_reaches_outside_the_tee_is_a_warning_naming_the_ocall_alternative(string expression, string id, string name)
    {
        Microsoft.CodeAnalysis.Diagnostic d = Expect.Diagnostic(
            EnclaveCompilation.Analyze("namespace Demo;\n" + Calc + "public static class Uses { public static object Go() => " + expression + "; }"),
            id,
            $"'{name}'");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("OCALL", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_from_a_stream_the_enclave_owns_is_not_flagged()
    {
        Assert.Empty(EnclaveCompilation.Ids("namespace Demo;\n" + Calc + """
            public static class Uses
            {
                public static string Go(byte[] data) => new System.IO.StreamReader(new System.IO.MemoryStream(data)).ReadToEnd()
                    + System.IO.Path.Combine("a", "b") + System.Environment.ProcessorCount;
            }
            """));
    }

    [Fact]
    public void Each_use_is_reported_where_the_instance_is_made_not_at_every_member_call()
    {
        Assert.Equal(["SG2022"], EnclaveCompilation.Ids("namespace Demo;\n" + Calc + """
            public static class Uses
            {
                public static void Go()
                {
                    using var client = new System.Net.Http.HttpClient();
                    client.Timeout = System.TimeSpan.FromSeconds(1);
                    client.CancelPendingRequests();
                }
            }
            """));
    }

    [Fact]
    public void Naming_a_host_runtime_type_in_an_enclave_is_error_SG2010()
    {
        Microsoft.CodeAnalysis.Diagnostic d = Expect.Diagnostic(
            EnclaveCompilation.Analyze("namespace Demo;\n" + Calc + "public static class Uses { public static object Go() => SecGear.Host.EnclaveType.Simulation; }"),
            "SG2010",
            "'SecGear.Host.EnclaveType' belongs to the untrusted host runtime (SecGear.Host)");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, d.Severity);
    }

    [Fact]
    public void A_host_project_may_use_files_the_console_and_the_host_runtime()
    {
        Assert.Empty(EnclaveCompilation.Ids(
            "namespace Demo;\n" + Calc + "public static class Uses { public static object Go() { System.Console.WriteLine(System.IO.File.Exists(\"x\")); return SecGear.Host.EnclaveType.Simulation; } }",
            isEnclave: false));
    }

    [Fact]
    public void A_justified_suppression_silences_the_warning()
    {
        Assert.Empty(EnclaveCompilation.Ids("namespace Demo;\n" + Calc + """
            public static class Uses
            {
                [System.Diagnostics.CodeAnalysis.SuppressMessage("SecGear.Enclave", "SG2024", Justification = "simulation-only diagnostics")]
                public static void Go() => System.Console.WriteLine("hi");
            }
            """));
    }
}
