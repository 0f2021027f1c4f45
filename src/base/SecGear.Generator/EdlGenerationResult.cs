using System.Collections.Generic;
using SecGear.Edl;

namespace SecGear.Generator;

/// <summary>What <see cref="EdlCodeGenerator.Generate"/> produced: files, and SG10xx diagnostics.</summary>
/// <param name="Files">The generated files; empty when some diagnostic is an error.</param>
/// <param name="Diagnostics">Problems found while mapping the contract to C#.</param>
public sealed record EdlGenerationResult(IReadOnlyList<GeneratedSourceFile> Files, IReadOnlyList<EdlDiagnostic> Diagnostics);
