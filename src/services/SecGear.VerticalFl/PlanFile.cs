using System.Text.Json;
using System.Text.Json.Serialization;

namespace SecGear.VerticalFl;

/// <summary>
/// A training plan as a JSON file an operator can read and compare, e.g.
/// <c>{"mode":"SplitLayer","seed":7,"learningRate":0.1,"hidden":8,"maxBatch":256,"batchSize":32,
/// "parties":[{"name":"A","features":15,"embeddingDim":8,"clientKeySha256":"hex"}, ...]}</c>. Every party's operator
/// and the leader's operator load the same file; the enclave's copy is checked against it by each follower.
/// </summary>
public static class PlanFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes <paramref name="plan"/> (validated first).</summary>
    public static void Save(string path, TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        var dto = new PlanDto(plan.Mode, plan.Seed, plan.LearningRate, plan.Hidden, plan.MaxBatch, plan.BatchSize,
            [.. plan.Parties.Select(p => new PartyDto(p.Name, p.Features, p.EmbeddingDim, Convert.ToHexStringLower(p.ClientKeySha256)))]);
        File.WriteAllText(path, JsonSerializer.Serialize(dto, Json));
    }

    /// <summary>Reads and validates a plan; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static TrainingPlan Load(string path)
    {
        try
        {
            PlanDto dto = JsonSerializer.Deserialize<PlanDto>(File.ReadAllText(path), Json) ?? throw new InvalidDataException("empty");
            var plan = new TrainingPlan
            {
                Mode = dto.Mode,
                Seed = dto.Seed,
                LearningRate = dto.LearningRate,
                Hidden = dto.Hidden,
                MaxBatch = dto.MaxBatch,
                BatchSize = dto.BatchSize,
                Parties = [.. (dto.Parties ?? []).Select(p => new PartySpec(p.Name ?? "", p.EmbeddingDim) { Features = p.Features, ClientKeySha256 = Convert.FromHexString(p.ClientKeySha256 ?? "") })],
            };
            plan.Validate();
            return plan;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or VerticalFlException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a valid training plan: {ex.Message}", ex);
        }
    }

    private sealed record PlanDto(TrainingMode Mode, uint Seed, float LearningRate, int Hidden, int MaxBatch, int BatchSize, PartyDto[]? Parties);

    private sealed record PartyDto(string? Name, int Features, int EmbeddingDim, string? ClientKeySha256);
}
