using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary><c>from "file" import *;</c> (<see cref="Names"/> null) or <c>from "file" import f, g;</c>.</summary>
internal sealed class ImportSyntax
{
    public ImportSyntax(string path, List<Token>? names, SourceLocation location)
    {
        Path = path;
        Names = names;
        Location = location;
    }

    public string Path { get; }

    public List<Token>? Names { get; }

    public SourceLocation Location { get; }
}
