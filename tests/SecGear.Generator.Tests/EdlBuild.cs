using SecGear.Edl.Model;

namespace SecGear.Generator.Tests;

/// <summary>Terse builders for hand-made EDL models (tests that must not depend on the EDL compiler).</summary>
internal static class EdlBuild
{
    public static readonly SourceLocation Here = new("test.edl", 1, 1);

    public static EdlType T(EdlBaseType b, int pointers = 0, bool isConst = false) => new(b, null, EdlTagKind.None, pointers, isConst);

    public static EdlType S(string name, int pointers = 0) => new(EdlBaseType.Named, name, EdlTagKind.Struct, pointers, false);

    public static EdlType U(string name) => new(EdlBaseType.Named, name, EdlTagKind.Union, 0, false);

    public static EdlType E(string name) => new(EdlBaseType.Named, name, EdlTagKind.Enum, 0, false);

    public static EdlType Foreign(string name, int pointers = 0) => new(EdlBaseType.Named, name, EdlTagKind.None, pointers, false);

    public static EdlParameter P(string name, EdlType type, EdlAttributes? attributes = null, params int[] dims) =>
        new(name, type, attributes ?? EdlAttributes.None, dims, Here);

    public static EdlAttributes In(string? size = null, string? count = null) => Attr(true, false, size, count);

    public static EdlAttributes Out(string? size = null, string? count = null) => Attr(false, true, size, count);

    public static EdlAttributes InOut(string? size = null, string? count = null) => Attr(true, true, size, count);

    public static EdlMember M(string name, EdlType type, params int[] dims) => new(name, type, EdlAttributes.None, dims, Here);

    public static EdlFunction Ecall(int id, string name, EdlType ret, params EdlParameter[] ps) =>
        new() { Name = name, IsTrusted = true, IsPublic = true, Id = id, ReturnType = ret, Parameters = ps, Location = Here };

    public static EdlFunction Ocall(int id, string name, EdlType ret, params EdlParameter[] ps) =>
        new() { Name = name, IsTrusted = false, IsPublic = true, Id = id, ReturnType = ret, Parameters = ps, Location = Here };

    public static EdlContract Contract(string name, EdlFunction[] trusted, EdlFunction[] untrusted, EdlStruct[]? structs = null, EdlEnum[]? enums = null) =>
        new() { Name = name, FilePath = name + ".edl", Trusted = trusted, Untrusted = untrusted, Structs = structs ?? [], Enums = enums ?? [] };

    private static EdlAttributes Attr(bool i, bool o, string? size, string? count) => new()
    {
        In = i,
        Out = o,
        Size = Expr(size),
        Count = Expr(count),
    };

    private static EdlSizeExpr? Expr(string? value) =>
        value is null ? null : long.TryParse(value, out long n) ? new EdlSizeExpr(n, null) : new EdlSizeExpr(null, value);

    /// <summary>The same contract as Edl/kitchen.edl (plus its import), built by hand.</summary>
    public static EdlContract Kitchen()
    {
        EdlType i32 = T(EdlBaseType.Int);
        EdlType u8p = T(EdlBaseType.UInt8, 1);
        EdlType sz = T(EdlBaseType.SizeT);
        EdlType v = T(EdlBaseType.Void);
        EdlFunction[] trusted =
        [
            Ecall(0, "ecall_add", i32, P("a", i32), P("b", i32)),
            Ecall(1, "ecall_copy_in", v, P("buf", u8p, In(size: "len")), P("len", sz)),
            Ecall(2, "ecall_fill_out", sz, P("buf", u8p, Out(size: "len")), P("len", sz)),
            Ecall(3, "ecall_in_out", v, P("values", T(EdlBaseType.Int, 1), InOut(count: "n")), P("n", sz)),
            Ecall(4, "ecall_mutate_in", i32, P("buf", u8p, In(size: "len")), P("len", sz)),
            Ecall(5, "ecall_strings", v,
                P("s", T(EdlBaseType.Char, 1, true), In() with { String = true }),
                P("w", T(EdlBaseType.WCharT, 1, true), In() with { WString = true }),
                P("reply", T(EdlBaseType.Char, 1), Out(size: "cap")),
                P("cap", sz)),
            Ecall(6, "ecall_string_in_out", v,
                P("s", T(EdlBaseType.Char, 1), InOut() with { String = true }),
                P("w", T(EdlBaseType.WCharT, 1), InOut() with { WString = true })),
            Ecall(7, "ecall_scalar_pointers", v,
                P("o", T(EdlBaseType.Int, 1), Out()),
                P("io", T(EdlBaseType.Int, 1), InOut()),
                P("p", S("point", 1), In()),
                P("d", T(EdlBaseType.Double, 1), In())),
            Ecall(8, "ecall_structs", S("point"), P("a", S("point")), P("v", U("value")), P("c", E("color")), P("r", S("rect")), P("n", S("node"))),
            Ecall(9, "ecall_arrays", v, P("arr", i32, In(), 4), P("res", i32, Out(), 2, 2)),
            Ecall(10, "ecall_user_check", T(EdlBaseType.UInt64), P("p", T(EdlBaseType.Void, 1), new EdlAttributes { UserCheck = true })),
            Ecall(11, "ecall_shared_size", v, P("a", u8p, In(size: "len")), P("b", u8p, Out(size: "len")), P("len", sz)),
            Ecall(12, "ecall_size_and_count", v,
                P("items", T(EdlBaseType.Void, 1), In(size: "4", count: "n")), P("n", sz),
                P("pts", S("point", 1), Out(count: "k")), P("k", i32)),
            Ecall(13, "ecall_calls_ocalls", i32, P("x", i32)),
            Ecall(14, "ecall_errno", i32),
            Ecall(15, "ecall_private", v) with { IsPublic = false },
            Ecall(16, "ecall_switchless", T(EdlBaseType.UInt64),
                P("data", u8p, In(size: "len")), P("len", sz), P("stats", T(EdlBaseType.UInt32, 1), Out(count: "2"))) with { Switchless = true },
            Ecall(17, "ecall_scalars", T(EdlBaseType.Bool),
                P("c", T(EdlBaseType.Char)), P("uc", T(EdlBaseType.UnsignedChar)), P("s", T(EdlBaseType.Short)),
                P("us", T(EdlBaseType.UnsignedShort)), P("ui", T(EdlBaseType.UnsignedInt)), P("l", T(EdlBaseType.Long)),
                P("ul", T(EdlBaseType.UnsignedLong)), P("ll", T(EdlBaseType.LongLong)), P("ull", T(EdlBaseType.UnsignedLongLong)),
                P("f", T(EdlBaseType.Float)), P("d", T(EdlBaseType.Double)), P("z", sz), P("wc", T(EdlBaseType.WCharT)),
                P("b", T(EdlBaseType.Bool)), P("i8", T(EdlBaseType.Int8)), P("i16", T(EdlBaseType.Int16)),
                P("i32", T(EdlBaseType.Int32)), P("i64", T(EdlBaseType.Int64)), P("u8", T(EdlBaseType.UInt8)),
                P("u16", T(EdlBaseType.UInt16)), P("u32", T(EdlBaseType.UInt32)), P("u64", T(EdlBaseType.UInt64))),
        ];
        EdlFunction[] untrusted =
        [
            Ocall(0, "ocall_log", i32, P("msg", T(EdlBaseType.Char, 1, true), In() with { String = true })),
            Ocall(1, "ocall_read", v, P("buf", u8p, Out(size: "len")), P("len", sz)) with { PropagateErrno = true },
            Ocall(2, "ocall_allow", v) with { Allow = ["ecall_private"] },
            Ocall(3, "ocall_switchless", i32, P("x", i32)) with { Switchless = true },
        ];
        EdlStruct[] structs =
        [
            new("value", true, [M("i", i32), M("f", T(EdlBaseType.Float)), M("bytes", T(EdlBaseType.UInt8), 4)], Here),
            new("node", false, [M("value", i32), M("next", S("node", 1))], Here),
            new("point", false, [M("x", i32), M("y", i32)], Here),
            new("rect", false, [M("corners", S("point"), 2), M("name", T(EdlBaseType.Char), 16)], Here),
        ];
        EdlEnum[] enums =
        [
            new("color", [new("RED", 0, Here), new("GREEN", 1, Here), new("BLUE", 5, Here)], Here),
            new(null, [new("MAX_ITEMS", 16, Here)], Here),
        ];
        return Contract("kitchen", trusted, untrusted, structs, enums);
    }
}
