using SecGear.Edl.Model;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class ContractModelTests
{
    private static EdlContract AllConstructs()
    {
        EdlCompilation result = CorpusCase.Load(Path.Combine("Valid", "all_constructs.edl")).Compile();
        return result.Contract!;
    }

    [Fact]
    public void Functions_are_numbered_separately_from_zero_in_text_order_with_imports_after_the_root()
    {
        EdlContract c = AllConstructs();

        Assert.Equal(
            ["ecall_empty", "ecall_scalars", "ecall_buffers", "ecall_strings", "ecall_arrays", "ecall_structs", "ecall_user_check", "ecall_switchless", "ecall_private", "lib_version"],
            c.Trusted.Select(f => f.Name));
        Assert.Equal(Enumerable.Range(0, c.Trusted.Count), c.Trusted.Select(f => f.Id));
        Assert.Equal(["ocall_print", "ocall_reenter", "ocall_errno", "ocall_both", "ocall_both2", "lib_log"], c.Untrusted.Select(f => f.Name));
        Assert.Equal(Enumerable.Range(0, c.Untrusted.Count), c.Untrusted.Select(f => f.Id));
        Assert.All(c.Trusted, f => Assert.True(f.IsTrusted));
        Assert.All(c.Untrusted, f => Assert.False(f.IsTrusted));
    }

    [Fact]
    public void Function_flags_allow_lists_and_calling_conventions_are_kept()
    {
        EdlContract c = AllConstructs();
        EdlFunction reenter = c.Untrusted.Single(f => f.Name == "ocall_reenter");

        Assert.Equal(["ecall_private", "ecall_empty"], reenter.Allow);
        Assert.Equal(EdlCallingConvention.Cdecl, reenter.CallingConvention);
        Assert.False(c.Trusted.Single(f => f.Name == "ecall_private").IsPublic);
        Assert.True(c.Trusted.Single(f => f.Name == "ecall_switchless").Switchless);
        Assert.True(c.Untrusted.Single(f => f.Name == "ocall_errno").PropagateErrno);
        EdlFunction both = c.Untrusted.Single(f => f.Name == "ocall_both");
        Assert.True(both.Switchless && both.PropagateErrno);
        Assert.Empty(c.Untrusted.Single(f => f.Name == "ocall_both2").Allow);
        Assert.All(c.Untrusted, f => Assert.True(f.IsPublic));
    }

    [Fact]
    public void Scalar_spellings_map_to_their_base_types()
    {
        EdlFunction f = AllConstructs().Trusted.Single(x => x.Name == "ecall_scalars");

        Assert.Equal(
            [
                EdlBaseType.Char, EdlBaseType.UnsignedChar, EdlBaseType.Short, EdlBaseType.UnsignedShort, EdlBaseType.Int,
                EdlBaseType.UnsignedInt, EdlBaseType.LongLong, EdlBaseType.UnsignedLongLong, EdlBaseType.Float, EdlBaseType.Double,
                EdlBaseType.SizeT, EdlBaseType.Int8, EdlBaseType.Int16, EdlBaseType.Int32, EdlBaseType.Int64, EdlBaseType.UInt8,
                EdlBaseType.UInt16, EdlBaseType.UInt32, EdlBaseType.UInt64, EdlBaseType.Bool, EdlBaseType.UIntPtr, EdlBaseType.IntPtr,
                EdlBaseType.SSizeT,
            ],
            f.Parameters.Select(p => p.Type.Base));
        Assert.Equal(EdlBaseType.Int, f.ReturnType.Base);
    }

    [Fact]
    public void Pointer_attributes_and_size_expressions_are_kept()
    {
        EdlFunction f = AllConstructs().Trusted.Single(x => x.Name == "ecall_buffers");
        EdlParameter src = f.Parameters[0];
        EdlParameter both = f.Parameters[4];
        EdlParameter raw = f.Parameters[6];

        Assert.True(src.Attributes.In && !src.Attributes.Out);
        Assert.Equal(new EdlSizeExpr(null, "len"), src.Attributes.Size);
        Assert.True(src.Type.IsConst);
        Assert.Equal(1, src.Type.PointerDepth);
        Assert.True(both.Attributes.In && both.Attributes.Out);
        Assert.Equal(new EdlSizeExpr(null, "n"), both.Attributes.Count);
        Assert.Equal(new EdlSizeExpr(4, null), raw.Attributes.Size);
        Assert.Equal(EdlBaseType.Void, raw.Type.Base);
    }

    [Fact]
    public void Array_dimensions_resolve_literals_and_enumerators()
    {
        EdlContract c = AllConstructs();
        EdlFunction arrays = c.Trusted.Single(x => x.Name == "ecall_arrays");
        EdlStruct shape = c.FindStruct("shape")!;

        Assert.Equal([8], arrays.Parameters[0].Dimensions);
        Assert.Equal([16, 2], arrays.Parameters[1].Dimensions);
        Assert.Equal([4], shape.Members[1].Dimensions);
        Assert.Equal([2, 16], shape.Members[2].Dimensions);
    }

    [Fact]
    public void Enum_values_count_up_from_the_previous_and_follow_references()
    {
        EdlContract c = AllConstructs();

        Assert.Equal([("RED", 0L), ("GREEN", 5L), ("BLUE", 6L), ("ALIAS", 5L)], c.FindEnum("color")!.Members.Select(m => (m.Name, m.Value)));
        EdlEnum anonymous = c.Enums.Single(e => e.Name == null);
        Assert.Equal([("MAX_ITEMS", 16L), ("FLAG_A", 17L)], anonymous.Members.Select(m => (m.Name, m.Value)));
    }

    [Fact]
    public void Structs_unions_and_deep_copy_are_recognised()
    {
        EdlContract c = AllConstructs();

        Assert.True(c.FindStruct("blob")!.IsDeepCopy);
        Assert.False(c.FindStruct("point")!.IsDeepCopy);
        Assert.True(c.FindStruct("number")!.IsUnion);
        Assert.Equal(EdlTagKind.Union, c.Classify(new EdlType(EdlBaseType.Named, "number", EdlTagKind.None, 0, false)));
        Assert.Equal(EdlTagKind.Enum, c.Classify(new EdlType(EdlBaseType.Named, "color", EdlTagKind.Enum, 0, false)));
        Assert.Equal(EdlTagKind.None, c.Classify(new EdlType(EdlBaseType.Named, "sgx_report_t", EdlTagKind.None, 0, false)));
        Assert.Equal(["point", "shape", "blob", "number"], c.Structs.Select(s => s.Name));
    }

    [Fact]
    public void Includes_merge_in_order_and_remember_their_side()
    {
        EdlContract c = AllConstructs();

        Assert.Equal(["stdint.h", "enclave_only.h", "host_only.h", "common.h"], c.Includes);
        Assert.Equal(
            [
                new EdlInclude("stdint.h", EdlIncludeSide.Both), new EdlInclude("enclave_only.h", EdlIncludeSide.Trusted),
                new EdlInclude("host_only.h", EdlIncludeSide.Untrusted), new EdlInclude("common.h", EdlIncludeSide.Both),
            ],
            c.IncludeDirectives);
    }

    [Fact]
    public void Contract_is_named_after_the_root_file()
    {
        EdlContract c = EdlText.Contract("enclave { trusted { public void f(); }; };");
        EdlCompilation other = EdlCompiler.Compile(Path.Combine("a.b", "secure.channel.edl"), "enclave { trusted { public void f(); }; };");

        Assert.Equal("test", c.Name);
        Assert.Equal("test.edl", c.FilePath);
        Assert.Equal("secure.channel", other.Contract!.Name);
    }

    [Fact]
    public void Locations_point_at_the_declaration_in_its_own_file()
    {
        EdlContract c = AllConstructs();
        EdlFunction lib = c.Trusted.Single(f => f.Name == "lib_version");
        EdlFunction empty = c.Trusted.Single(f => f.Name == "ecall_empty");

        Assert.EndsWith(Path.Combine("lib", "common.edl"), lib.Location.File, StringComparison.Ordinal);
        Assert.Equal((4, 16), (lib.Location.Line, lib.Location.Column));
        Assert.Equal((25, 16), (empty.Location.Line, empty.Location.Column));
    }

    [Fact]
    public void Ifdef_ifndef_and_else_select_tokens_anywhere_even_inside_a_parameter_list()
    {
        EdlContract c = CorpusCase.Load(Path.Combine("Valid", "preprocessor.edl")).Compile().Contract!;

        Assert.Equal(["a", "nested"], c.Trusted.Single().Parameters.Select(p => p.Name));
        Assert.Equal("log_line", c.Untrusted.Single().Name);
    }

    [Fact]
    public void Undefined_names_take_the_else_branch()
    {
        EdlContract c = EdlText.Contract("enclave { trusted { #ifdef X\n public void x(); #else\n public void y(); #endif\n }; };");

        Assert.Equal("y", c.Trusted.Single().Name);
    }

    [Fact]
    public void Foreign_type_sizes_used_by_the_contract_are_carried_in_it()
    {
        CorpusCase corpus = CorpusCase.Load(Path.Combine("Valid", "foreign_types.edl"));
        EdlContract c = corpus.Compile().Contract!;

        Assert.Equal(new Dictionary<string, int> { ["handle_t"] = 8, ["sgx_report_t"] = 432, ["cstr_t"] = 1, ["buf_t"] = 16 }, c.ForeignTypeSizes);
    }

    [Fact]
    public void Warnings_as_errors_turns_a_warning_into_an_error_and_withholds_the_contract()
    {
        const string text = "enclave { trusted { public char* name(); }; };";

        EdlCompilation lenient = EdlText.Compile(text);
        EdlCompilation strict = EdlText.Compile(text, new EdlCompileOptions { TreatWarningsAsErrors = true });

        Assert.Equal(EdlSeverity.Warning, Assert.Single(lenient.Diagnostics).Severity);
        Assert.NotNull(lenient.Contract);
        Assert.Equal(EdlSeverity.Error, Assert.Single(strict.Diagnostics).Severity);
        Assert.Null(strict.Contract);
    }

    [Fact]
    public void Library_mode_accepts_a_file_without_public_ecalls()
    {
        const string text = "enclave { untrusted { void log(); }; };";

        EdlCompilation strict = EdlText.Compile("// a library\n  " + text);

        Assert.Equal("test.edl(2,3): error SG0325: the enclave has no public ECALL (after merging imports)", Assert.Single(strict.Diagnostics).ToString());
        Assert.Empty(EdlText.Compile(text, new EdlCompileOptions { RequirePublicEcall = false }).Diagnostics);
    }

    [Fact]
    public void Null_path_or_text_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => EdlCompiler.Compile(null!, ""));
        Assert.Throws<ArgumentNullException>(() => EdlCompiler.Compile("x.edl", null!));
    }

    [Fact]
    public void A_syntax_error_is_not_echoed_by_allow_list_or_public_ecall_checks()
    {
        EdlCompilation result = EdlText.Compile("enclave { untrusted { void o() allow(f); }; trusted { public void f(int a int b); }; };");

        Assert.Equal(["SG0110"], result.Ids());
    }

    [Fact]
    public void Anonymous_and_empty_enums_resolve_and_keep_their_order()
    {
        EdlContract c = CorpusCase.Load(Path.Combine("Valid", "accepted_edge_cases.edl")).Compile().Contract!;

        Assert.Equal([null, null, "empty_enum"], c.Enums.Select(e => e.Name));
        Assert.Equal(3, c.Enums[1].Members.Single().Value);
        Assert.Empty(c.FindEnum("empty_enum")!.Members);
        Assert.Equal(["out_in_string", "only_via_allow"], c.Untrusted[1].Allow);
    }

    [Fact]
    public async Task Parallel_compilations_share_no_state()
    {
        static string Form() => EdlCanonicalForm.Of(CorpusCase.Load(Path.Combine("Valid", "all_constructs.edl")).Compile().Contract!);
        string expected = Form();

        string[] forms = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(Form)));

        Assert.All(forms, f => Assert.Equal(expected, f));
    }

    [Theory]
    [InlineData("public void f([zeroed] int n);", "SG0116")]
    [InlineData("public void f([] int n);", "SG0120")]
    [InlineData("public void f([in, in] int n);", "SG0118")]
    public void A_rejected_attribute_is_not_reported_again_as_an_attribute_on_a_non_pointer(string function, string id)
    {
        Assert.Equal(id == "SG0118" ? [id, "SG0307"] : [id], EdlText.Compile(EdlText.WithTrusted(function)).Ids());
    }
}
