using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// <c>[in, string]</c> / <c>[in, wstring]</c> as <c>string?</c>; with <c>out</c> as <c>ref string?</c>, which the
/// callee may shrink but never grow (Intel copies back at most the original length).
/// </summary>
internal sealed class StringParam : ParamPlan
{
    public StringParam(EdlParameter edl, string csName)
        : base(edl, csName, CsType.Byte)
    {
    }

    public override ParamKind Kind => Out ? ParamKind.StringRef : ParamKind.String;

    /// <summary><c>wstring</c>: UTF-16 on the wire, lengths in chars; else UTF-8, lengths in bytes.</summary>
    public bool Wide => Edl.Attributes.WString;

    public override bool AllowsAsync => !Out;

    private string Encoding => Wide ? "Utf16" : "Utf8";

    /// <summary>The string's length in wire units, for a string known not to be null.</summary>
    private string LengthOf(string value) => Wide ? value + ".Length" : "global::System.Text.Encoding.UTF8.GetByteCount(" + value + ")";

    private string MaxLocal => "int __max_" + Local + " = " + CsName + " is null ? 0 : " + LengthOf(CsName) + ";";

    public override string? ParameterType(bool async) => Out ? "ref string?" : "string?";

    public override string? Argument => Out ? "ref " + CsName : CsName;

    public override string? CallerCheck(bool async) => Out ? MaxLocal : null;

    public override string? CallerWrite(bool async) => "__request.Write" + Encoding + "String(" + CsName + ");";

    public override string? CallerReadBack(string function, bool async) => !Out ? null : $$"""
        string? __s_{{Local}} = __reader.Read{{Encoding}}String(__max_{{Local}});
        if ((__s_{{Local}} is null) != ({{CsName}} is null))
        {
            throw new {{Code.MarshalException}}("The response to '{{function}}' changed whether '{{Name}}' is null.");
        }

        {{CsName}} = __s_{{Local}};
        """;

    public override string CalleeRead()
    {
        string limit = Code.Abi + "WireLimits.MaxBufferBytes" + (Wide ? " / 2" : string.Empty);
        string read = "string? " + CsName + " = __reader.Read" + Encoding + "String(" + limit + ");";
        return !Out ? read : read + "\nbool __null_" + Local + " = " + CsName + " is null;\n" + MaxLocal;
    }

    public override string? CalleeAfterCall(string function) => !Out ? null : $$"""
        if (__null_{{Local}})
        {
            {{CsName}} = null;
        }
        else if ({{CsName}} is null)
        {
            {{CsName}} = string.Empty;
        }
        else if ({{LengthOf(CsName)}} > __max_{{Local}})
        {
            throw new global::System.InvalidOperationException("'{{function}}' grew the [in, out] string '{{Name}}'; it may only shrink.");
        }
        """;

    public override string? CalleeWrite() => Out ? "__out.Write" + Encoding + "String(" + CsName + ");" : null;
}
