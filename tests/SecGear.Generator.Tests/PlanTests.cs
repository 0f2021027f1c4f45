using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator.Tests;

/// <summary>The plan the generator makes of each parameter kind, before any C# is written.</summary>
public class PlanTests
{
    [Fact]
    public void Scalar_by_value_is_a_value_parameter_of_its_csharp_type()
    {
        ParamPlan p = Single("public int f(uint64_t v);");

        Assert.Equal(ParamKind.Value, p.Kind);
        Assert.Equal("ulong", p.ParameterType(async: false));
        Assert.Equal("v", p.Argument);
    }

    [Fact]
    public void User_check_pointer_is_a_raw_nint_address()
    {
        ParamPlan p = Single("public void f([user_check] void* p);");

        Assert.Equal(ParamKind.UserCheck, p.Kind);
        Assert.Equal("nint", p.ParameterType(async: false));
    }

    [Fact]
    public void In_string_is_a_nullable_string_and_in_out_string_a_ref_string_that_blocks_async()
    {
        FunctionPlan f = Function("public void f([in, string] const char* s, [in, out, wstring] wchar_t* w) transition_using_threads;");
        var s = Assert.IsType<StringParam>(f.Parameters[0]);
        var w = Assert.IsType<StringParam>(f.Parameters[1]);

        Assert.Equal((ParamKind.String, "string?", false), (s.Kind, s.ParameterType(async: false), s.Wide));
        Assert.Equal((ParamKind.StringRef, "ref string?", true), (w.Kind, w.ParameterType(async: false), w.Wide));
        Assert.False(f.HasAsync);
    }

    [Fact]
    public void Size_used_by_one_buffer_only_folds_into_the_span_both_ways()
    {
        FunctionPlan f = Function("public void f([in, size=len] uint8_t* buf, size_t len);");
        var buf = Assert.IsType<BufferParam>(f.Parameters[0]);
        var len = Assert.IsType<ValueParam>(f.Parameters[1]);

        Assert.Same(len, buf.FoldedSize);
        Assert.Same(buf, len.FoldedInto);
        Assert.False(buf.FoldedIsCount);
        Assert.Null(len.ParameterType(async: false));
        Assert.Equal("(global::System.ReadOnlySpan<byte> buf)", f.Signature(async: false));
    }

    [Fact]
    public void Count_of_a_typed_out_buffer_folds_as_a_count()
    {
        var buf = Assert.IsType<BufferParam>(Function("public void f([out, count=n] int* values, size_t n);").Parameters[0]);

        Assert.True(buf.FoldedIsCount);
        Assert.True(buf.IsTypedBuffer);
        Assert.Equal("global::System.Span<int>", buf.ParameterType(async: false));
        Assert.Equal("global::System.Memory<int>", buf.ParameterType(async: true));
    }

    [Fact]
    public void Size_shared_by_two_buffers_stays_a_parameter_resolved_on_both()
    {
        FunctionPlan f = Function("public void f([in, size=len] uint8_t* a, [out, size=len] uint8_t* b, size_t len);");
        var a = Assert.IsType<BufferParam>(f.Parameters[0]);
        var b = Assert.IsType<BufferParam>(f.Parameters[1]);
        var len = Assert.IsType<ValueParam>(f.Parameters[2]);

        Assert.Null(a.FoldedSize);
        Assert.Null(len.FoldedInto);
        Assert.Same(len, a.Size?.Parameter);
        Assert.Same(len, b.Size?.Parameter);
        Assert.Equal("nuint", len.ParameterType(async: false));
    }

    [Fact]
    public void Enum_size_is_resolved_but_never_folded()
    {
        FunctionPlan f = Function("public void f([in, size=k] uint8_t* v, enum kind k);", "enum kind { ONE = 1 };");
        var v = Assert.IsType<BufferParam>(f.Parameters[0]);

        Assert.Null(v.FoldedSize);
        Assert.Equal(WireKind.Enum, v.Size?.Parameter?.Type.Kind);
    }

    [Fact]
    public void Literal_size_and_count_are_operands_not_parameters()
    {
        var items = Assert.IsType<BufferParam>(Function("public void f([in, size=4, count=2] void* items);").Parameters[0]);

        Assert.Equal((4L, (ValueParam?)null), (items.Size?.Literal, items.Size?.Parameter));
        Assert.Equal(2L, items.Count?.Literal);
    }

    [Fact]
    public void Fixed_array_is_a_buffer_of_the_product_of_its_dimensions()
    {
        var res = Assert.IsType<BufferParam>(Single("public void f([out] int res[2][3]);"));

        Assert.Equal(6, res.FixedElements);
        Assert.Null(res.Size);
        Assert.Null(res.Count);
    }

    [Fact]
    public void Pointer_to_one_element_is_in_out_or_ref_and_out_blocks_async()
    {
        FunctionPlan f = Function("public void f([in] int* i, [out] int* o, [in, out] int* io) transition_using_threads;");

        Assert.All(f.Parameters, p => Assert.Equal(ParamKind.Pointer, p.Kind));
        Assert.Equal(["in int", "out int", "ref int"], f.Parameters.Select(p => p.ParameterType(async: false)));
        Assert.Equal(["in i", "out o", "ref io"], f.Parameters.Select(p => p.Argument));
        Assert.False(f.HasAsync);
    }

    [Fact]
    public void Switchless_function_with_spans_and_values_gets_an_async_variant()
    {
        FunctionPlan f = Function("public int f([in, size=len] uint8_t* data, size_t len, [in] int* one) transition_using_threads;");

        Assert.True(f.HasAsync);
        Assert.Equal("(global::System.ReadOnlyMemory<byte> data, int one, global::System.Threading.CancellationToken cancellationToken = default)", f.Signature(async: true));
    }

    [Fact]
    public void Struct_members_are_planned_with_raw_addresses_for_pointers_and_element_types_for_arrays()
    {
        ContractPlan plan = Plan("public void f(struct s v);", "struct s { int a; char* p; uint16_t arr[2][4]; };");
        StructPlan s = Assert.Single(plan.Structs);

        Assert.Equal(["int", "nint", "ushort"], s.Members.Select(m => m.Type.Name));
        Assert.Equal([0L, 0L, 8L], s.Members.Select(m => m.Elements));
    }

    [Fact]
    public void A_contract_without_a_mapping_has_no_plan_and_says_why()
    {
        EdlContract contract = Compile("public long double f(void);");

        ContractPlan? plan = ContractPlanner.Plan(contract, "Ns", out IReadOnlyList<EdlDiagnostic> diagnostics);

        Assert.Null(plan);
        Assert.Contains(diagnostics, d => d.Id == "SG1001" && d.Message.Contains("returns long double", StringComparison.Ordinal));
    }

    private static ParamPlan Single(string ecall) => Assert.Single(Function(ecall).Parameters);

    private static FunctionPlan Function(string ecall, string types = "") => Assert.Single(Plan(ecall, types).Ecalls);

    private static ContractPlan Plan(string ecall, string types = "")
    {
        ContractPlan? plan = ContractPlanner.Plan(Compile(ecall, types), "Ns", out IReadOnlyList<EdlDiagnostic> diagnostics);
        Assert.Empty(diagnostics);
        return Assert.IsType<ContractPlan>(plan);
    }

    private static EdlContract Compile(string ecall, string types = "")
    {
        EdlCompilation compilation = EdlCompiler.Compile("plan.edl", "enclave { " + types + " trusted { " + ecall + " }; };", new EdlCompileOptions());
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return Assert.IsType<EdlContract>(compilation.Contract);
    }
}
