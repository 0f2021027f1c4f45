using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// A pointer with <c>size</c>/<c>count</c>, or a fixed array: a span on the C# side, a length-prefixed byte block on
/// the wire. The callee copies <c>[in]</c> data into private memory once and zero-fills <c>[out]</c> buffers.
/// </summary>
internal sealed class BufferParam : ParamPlan
{
    public BufferParam(EdlParameter edl, string csName, CsType element, long fixedElements)
        : base(edl, csName, element)
    {
        FixedElements = fixedElements;
    }

    public override ParamKind Kind => ParamKind.Buffer;

    public bool In => Edl.Attributes.In;

    /// <summary>Product of the declared array dimensions; 0 when the parameter is not an array.</summary>
    public long FixedElements { get; }

    /// <summary>The <c>size</c> (bytes), if any.</summary>
    public SizeOperand? Size { get; set; }

    /// <summary>The <c>count</c> (elements), if any.</summary>
    public SizeOperand? Count { get; set; }

    /// <summary>The size/count parameter folded into this span: the caller passes only the span.</summary>
    public ValueParam? FoldedSize { get; set; }

    /// <summary>True when <see cref="FoldedSize"/> is the <c>count</c> (elements), false when it is the <c>size</c>.</summary>
    public bool FoldedIsCount { get; set; }

    /// <summary>Typed spans check that byte lengths are multiples of the element size (Intel's rule).</summary>
    public bool IsTypedBuffer => Type.Kind != WireKind.Byte;

    private string Len => "__len_" + Local;

    private string ElementSize => IsTypedBuffer ? Type.SizeExpression : "1";

    public override string? ParameterType(bool async)
    {
        string span = async ? "Memory<" : "Span<";
        return "global::System." + (Out ? string.Empty : "ReadOnly") + span + Type.Name + ">";
    }

    public override string? Argument => "__span_" + Local;

    /// <summary>The span's bytes (<paramref name="async"/>: of the Memory parameter).</summary>
    private string BytesOf(bool async)
    {
        string span = async ? CsName + ".Span" : CsName;
        return Type.Kind == WireKind.Byte ? span : Code.MemoryMarshal + "AsBytes(" + span + ")";
    }

    /// <summary>Byte length from the size/count values, checked the way Intel's edger8r checks it.</summary>
    private string ByteLength(bool received)
    {
        string tail = ", received: " + Code.Bool(received) + ", " + Naming.Literal(Name) + ")";
        string multiply = Code.Abi + "WireSize.Multiply(";
        string element = "(ulong)" + Type.SizeExpression;
        if (FixedElements != 0)
        {
            return multiply + Code.Int(FixedElements) + "UL, " + element + tail;
        }

        if (Size != null && Count != null)
        {
            return multiply + Size.Expression(received, Name) + ", " + Count.Expression(received, Name) + tail;
        }

        if (Size != null)
        {
            return Size.Expression(received, Name);
        }

        return Count is SizeOperand count
            ? multiply + count.Expression(received, Name) + ", " + element + tail
            : throw new System.InvalidOperationException("The planner left buffer '" + Name + "' without a size, count or dimension.");
    }

    private string Length(bool received) =>
        Code.Abi + "WireSize.Length(" + ByteLength(received) + ", " + ElementSize + ", received: " + Code.Bool(received) + ", " + Naming.Literal(Name) + ");";

    public override string? CallerCheck(bool async)
    {
        string bytes = BytesOf(async);
        if (FoldedSize == null)
        {
            return $$"""
                int {{Len}} = {{Length(received: false)}}
                if ({{bytes}}.Length < {{Len}})
                {
                    throw new global::System.ArgumentException("'{{Name}}' is shorter than the " + {{Len}} + " bytes its size and count require.", nameof({{CsName}}));
                }
                """;
        }

        ValueParam n = FoldedSize;
        string value = FoldedIsCount ? CsName + ".Length" : Len;
        string assign = n.Type.Name + " " + n.CsName + " = (" + n.Type.Name + ")" + value + ";";
        if (n.Type.HoldsAnyLength)
        {
            // A span is never longer than int.MaxValue, which this type holds: no check can fail.
            return "int " + Len + " = " + bytes + ".Length;\n" + assign;
        }

        return $$"""
            int {{Len}} = {{bytes}}.Length;
            if ((ulong){{value}} > (ulong){{n.Type.Name}}.MaxValue)
            {
                throw new global::System.ArgumentException("'{{Name}}' is too long for its {{(FoldedIsCount ? "count" : "size")}} parameter '{{n.Name}}' ({{n.Type.Name}}).", nameof({{CsName}}));
            }

            {{assign}}
            """;
    }

    /// <summary>The bytes that cross: the whole span when its length is the size, else its first <c>__len</c> bytes.</summary>
    private string Crossing(bool async) => FoldedSize != null ? BytesOf(async) : BytesOf(async) + ".Slice(0, " + Len + ")";

    public override string? CallerWrite(bool async) => In
        ? "__request.WriteBytes(" + Crossing(async) + ");"
        : "__request.WriteUInt32((uint)" + Len + ");";

    public override string? CallerReadBack(string function, bool async) => !Out ? null : $$"""
        if (__reader.ReadBytesInto({{Crossing(async)}}) != {{Len}})
        {
            throw new {{Code.MarshalException}}("The response to '{{function}}' returned a short '{{Name}}'.");
        }
        """;

    public override string CalleeRead() => In
        ? "global::System.ReadOnlySpan<byte> __in_" + Local + " = __reader.ReadBytes(" + Code.Abi + "WireLimits.MaxBufferBytes);"
        : "uint __req_" + Local + " = __reader.ReadUInt32();";

    public override string? CalleeCheck(string function)
    {
        string received = In ? "__in_" + Local + ".Length" : "__req_" + Local;
        string condition = In ? received + " != " + Len : received + " != (uint)" + Len;
        string verb = In ? "carries" : "asks for";
        return $$"""
            int {{Len}} = {{Length(received: true)}}
            if ({{condition}})
            {
                throw new {{Code.MarshalException}}("'{{Name}}' of '{{function}}' {{verb}} " + {{received}} + " bytes but its size and count say " + {{Len}} + ".");
            }
            """;
    }

    /// <summary>Callee: rents the private copy.</summary>
    public string CalleeRent() => "byte[] __buf_" + Local + " = " + Code.Pool + ".Rent(" + Len + ");";

    /// <summary>Callee: fills the private copy ([in]) or zeroes it ([out]) and types it as the span passed on.</summary>
    public string CalleePrepare()
    {
        string fill = In ? "__in_" + Local + ".CopyTo(__buf_" + Local + ");" : "global::System.Array.Clear(__buf_" + Local + ", 0, " + Len + ");";
        string bytes = "global::System.MemoryExtensions.AsSpan(__buf_" + Local + ", 0, " + Len + ")";
        string typed = Type.Kind == WireKind.Byte ? bytes : Code.MemoryMarshal + "Cast<byte, " + Type.Name + ">(" + bytes + ")";
        return fill + "\nglobal::System.Span<" + Type.Name + "> __span_" + Local + " = " + typed + ";";
    }

    public override string? CalleeWrite() => Out ? "__out.WriteBytes(global::System.MemoryExtensions.AsSpan(__buf_" + Local + ", 0, " + Len + "));" : null;

    /// <summary>Callee: returns the private copy, cleared (it held the caller's data).</summary>
    public string CalleeReturn() => Code.Pool + ".Return(__buf_" + Local + ", clearArray: true);";
}
