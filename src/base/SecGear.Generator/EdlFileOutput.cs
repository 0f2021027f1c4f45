namespace SecGear.Generator;

/// <summary>What one EDL file produced: sources (hint name, text) and diagnostics.</summary>
internal sealed record EdlFileOutput(string ContractKey, string Path, EquatableArray<GeneratedSourceFile> Files, EquatableArray<DiagnosticInfo> Diagnostics);
