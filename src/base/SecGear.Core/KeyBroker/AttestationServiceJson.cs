using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>The JSON conventions of the service's bodies (camelCase, byte arrays as base64); the service and its client use the same.</summary>
public static class AttestationServiceJson
{
    /// <summary>Web defaults (camelCase names, case-insensitive reads, numbers never as strings), max depth 32.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 32,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };
}
