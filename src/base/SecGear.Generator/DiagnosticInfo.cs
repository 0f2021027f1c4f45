namespace SecGear.Generator;

/// <summary>A diagnostic in equatable form (no Roslyn Location, which would defeat pipeline caching).</summary>
internal sealed record DiagnosticInfo(string Id, bool IsError, string Message, string File, int Line, int Column, int Offset);
