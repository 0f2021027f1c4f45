using System.Text;

namespace SecGear.Generator;

/// <summary>Indented text builder for generated sources.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new StringBuilder();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
        }

        _sb.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="text"/> (unless empty: a bare block) and an opening brace, then indents.</summary>
    public CodeWriter Open(string text)
    {
        if (text.Length > 0)
        {
            Line(text);
        }

        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public CodeWriter Doc(string summary) => Line("/// <summary>" + summary + "</summary>");

    public override string ToString() => _sb.ToString();
}
