namespace SecGear.Generator;

/// <summary>One generated C# file.</summary>
/// <param name="HintName">File name to add it under (unique per contract, ends in <c>.g.cs</c>).</param>
/// <param name="SourceText">The C# source.</param>
public sealed record GeneratedSourceFile(string HintName, string SourceText);
