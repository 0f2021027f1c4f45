using System.Text.Json.Serialization;

namespace SecGear.Transport;

/// <summary>Source-generated JSON for the runner's standard-output lines (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartupMessage))]
[JsonSerializable(typeof(LogRecord))]
internal sealed partial class ProtocolJson : JsonSerializerContext;
