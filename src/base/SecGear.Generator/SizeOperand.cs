namespace SecGear.Generator;

/// <summary>One <c>size</c> or <c>count</c> of a buffer, resolved by the planner: a literal or a by-value parameter.</summary>
internal sealed class SizeOperand
{
    private SizeOperand(long literal, ValueParam? parameter)
    {
        Literal = literal;
        Parameter = parameter;
    }

    /// <summary>The literal value; meaningful only when <see cref="Parameter"/> is null.</summary>
    public long Literal { get; }

    /// <summary>The integer, enum or bool parameter the value comes from, or null for a literal.</summary>
    public ValueParam? Parameter { get; }

    public static SizeOperand Of(long literal) => new SizeOperand(literal, null);

    public static SizeOperand Of(ValueParam parameter) => new SizeOperand(0, parameter);

    /// <summary>The value as a <c>ulong</c> expression; signed values are checked for being negative.</summary>
    public string Expression(bool received, string buffer)
    {
        if (Parameter == null)
        {
            return Code.Int(Literal) + "UL";
        }

        string name = Parameter.CsName;
        if (Parameter.Type.Kind == WireKind.Bool)
        {
            return "(" + name + " ? 1UL : 0UL)";
        }

        return Parameter.Type.IsSigned
            ? Code.Abi + "WireSize.Count((long)" + name + ", received: " + Code.Bool(received) + ", " + Naming.Literal(buffer) + ")"
            : "(ulong)" + name;
    }
}
