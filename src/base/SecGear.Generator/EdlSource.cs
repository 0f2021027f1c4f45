namespace SecGear.Generator;

/// <summary>An EDL file available for imports: normalised path and text.</summary>
internal sealed record EdlSource(string Path, string Text);
