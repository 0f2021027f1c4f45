namespace SecGear.Analyzers.Tests;

public class EcallImplementationAnalyzerTests
{
    [Fact]
    public void One_public_implementation_with_a_context_constructor_is_clean()
    {
        Assert.Empty(EnclaveCompilation.Ids("""
            namespace Demo;
            public sealed class Calc(SecGear.Trusted.Runtime.EnclaveContext context) : ICalcEcalls
            {
                public int Add(int a, int b) => a + b;
            }
            """));
    }

    [Fact]
    public void A_project_without_an_implementation_reports_SG2001()
    {
        Expect.Diagnostic(EnclaveCompilation.Analyze("namespace Demo; public static class Other { }"), "SG2001", "Demo.ICalcEcalls");
    }

    [Fact]
    public void An_internal_implementation_reports_SG2002_at_the_class()
    {
        Microsoft.CodeAnalysis.Diagnostic d = Expect.Diagnostic(
            EnclaveCompilation.Analyze("namespace Demo; internal sealed class Calc : ICalcEcalls { public int Add(int a, int b) => a + b; }"),
            "SG2002",
            "'Demo.Calc' implements Demo.ICalcEcalls but is not public");
        Assert.Equal("/demo/Enclave.cs", d.Location.GetLineSpan().Path);
    }

    [Fact]
    public void A_public_class_nested_in_an_internal_one_is_not_exported_and_reports_SG2002()
    {
        Assert.Equal(["SG2002"], EnclaveCompilation.Ids("""
            namespace Demo;
            internal static class Outer
            {
                public sealed class Calc : ICalcEcalls { public int Add(int a, int b) => a + b; }
            }
            """));
    }

    [Fact]
    public void Two_public_implementations_report_SG2003_on_each()
    {
        Assert.Equal(["SG2003", "SG2003"], EnclaveCompilation.Ids("""
            namespace Demo;
            public sealed class Calc : ICalcEcalls { public int Add(int a, int b) => a + b; }
            public sealed class OtherCalc : ICalcEcalls { public int Add(int a, int b) => a - b; }
            """));
    }

    [Fact]
    public void An_abstract_base_and_a_non_public_helper_do_not_count_as_duplicates()
    {
        Assert.Empty(EnclaveCompilation.Ids("""
            namespace Demo;
            public abstract class CalcBase : ICalcEcalls { public abstract int Add(int a, int b); }
            public sealed class Calc : CalcBase { public override int Add(int a, int b) => a + b; }
            internal sealed class TestDouble : ICalcEcalls { public int Add(int a, int b) => 0; }
            """));
    }

    [Fact]
    public void An_implementation_without_a_usable_constructor_reports_SG2004()
    {
        Expect.Diagnostic(
            EnclaveCompilation.Analyze("namespace Demo; public sealed class Calc(int seed) : ICalcEcalls { public int Add(int a, int b) => a + b + seed; }"),
            "SG2004",
            "needs a public constructor taking () or (EnclaveContext)");
    }

    [Fact]
    public void A_project_that_is_not_an_enclave_gets_no_enclave_diagnostics()
    {
        Assert.Empty(EnclaveCompilation.Ids("namespace Demo; internal sealed class Calc : ICalcEcalls { public int Add(int a, int b) => a + b; }", isEnclave: false));
    }
}
