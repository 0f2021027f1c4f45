using System.Text.Json;

namespace SecGear.Attestation.Intel;

/// <summary>A parsed Intel TCB info (version 2 or 3; id SGX or TDX). Values only; its signature is checked by the verifier.</summary>
public sealed class TcbInfo
{
    /// <summary><c>SGX</c> or <c>TDX</c> (version 2 has no id and is SGX).</summary>
    public required string Id { get; init; }

    /// <summary>The format version (2 or 3).</summary>
    public required int Version { get; init; }

    /// <summary>issueDate.</summary>
    public required DateTimeOffset IssueDate { get; init; }

    /// <summary>nextUpdate.</summary>
    public required DateTimeOffset NextUpdate { get; init; }

    /// <summary>FMSPC (6 bytes).</summary>
    public required ReadOnlyMemory<byte> Fmspc { get; init; }

    /// <summary>PCE id (2 bytes).</summary>
    public required ReadOnlyMemory<byte> PceId { get; init; }

    /// <summary>tcbEvaluationDataNumber.</summary>
    public required int TcbEvaluationDataNumber { get; init; }

    /// <summary>The legacy <c>tdxModule</c> (TDX only).</summary>
    public TdxModuleIdentity? TdxModule { get; init; }

    /// <summary>The <c>tdxModuleIdentities</c> (TDX only).</summary>
    public IReadOnlyList<TdxModuleIdentity> TdxModuleIdentities { get; init; } = [];

    /// <summary>TCB levels, best first.</summary>
    public required IReadOnlyList<TcbLevel> TcbLevels { get; init; }

    /// <summary>Parses the exact signed <c>tcbInfo</c> object. Throws <see cref="FormatException"/> when malformed.</summary>
    public static TcbInfo Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            // Duplicate keys are refused: two readers of the same JSON must never see different values.
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("tcbInfo is not a JSON object");
            }

            int version = JsonFields.Int(root, "version");
            if (version is not (2 or 3))
            {
                throw new FormatException($"tcbInfo version is {version}, expected 2 or 3");
            }

            string id = version == 2 ? "SGX" : JsonFields.String(root, "id");
            bool tdx = id == "TDX";
            var levels = JsonFields.Array(root, "tcbLevels").EnumerateArray().Select(level => ParseLevel(level, version, tdx)).ToArray();
            if (levels.Length == 0)
            {
                throw new FormatException("tcbInfo has no tcbLevels");
            }

            return new TcbInfo
            {
                Id = id,
                Version = version,
                IssueDate = JsonFields.Date(root, "issueDate"),
                NextUpdate = JsonFields.Date(root, "nextUpdate"),
                Fmspc = Hex.Parse(JsonFields.String(root, "fmspc"), "fmspc", 6),
                PceId = Hex.Parse(JsonFields.String(root, "pceId"), "pceId", 2),
                TcbEvaluationDataNumber = JsonFields.Int(root, "tcbEvaluationDataNumber"),
                TdxModule = tdx && root.TryGetProperty("tdxModule", out var module) ? ParseModule(module, string.Empty, withLevels: false) : null,
                TdxModuleIdentities = tdx && root.TryGetProperty("tdxModuleIdentities", out var identities) && identities.ValueKind == JsonValueKind.Array
                    ? identities.EnumerateArray().Select(m => ParseModule(m, JsonFields.String(m, "id"), withLevels: true)).ToArray()
                    : [],
                TcbLevels = levels,
            };
        }
        catch (JsonException ex)
        {
            throw new FormatException($"tcbInfo is not valid JSON: {FailureText.Of(ex)}", ex);
        }
    }

    private static TcbLevel ParseLevel(JsonElement level, int version, bool tdx)
    {
        var tcb = JsonFields.Object(level, "tcb");
        int[] sgx;
        int[] tdxComponents = [];
        if (version == 2)
        {
            sgx = Enumerable.Range(1, 16).Select(i => JsonFields.Int(tcb, $"sgxtcbcomp{i:D2}svn")).ToArray();
        }
        else
        {
            sgx = Components(tcb, "sgxtcbcomponents");
            if (tdx)
            {
                tdxComponents = Components(tcb, "tdxtcbcomponents");
            }
        }

        return new TcbLevel
        {
            SgxComponents = sgx,
            PceSvn = JsonFields.Int(tcb, "pcesvn"),
            TdxComponents = tdxComponents,
            TcbDate = JsonFields.Date(level, "tcbDate"),
            Status = JsonFields.Status(level, "tcbStatus"),
            AdvisoryIds = JsonFields.Advisories(level),
        };
    }

    private static int[] Components(JsonElement tcb, string name)
    {
        var components = JsonFields.Array(tcb, name).EnumerateArray().Select(c => JsonFields.Int(c, "svn")).ToArray();
        return components.Length == 16 ? components : throw new FormatException($"'{name}' has {components.Length} entries, expected 16");
    }

    private static TdxModuleIdentity ParseModule(JsonElement module, string id, bool withLevels) => new()
    {
        Id = id,
        MrSigner = Hex.Parse(JsonFields.String(module, "mrsigner"), "mrsigner", 48),
        Attributes = Hex.Parse(JsonFields.String(module, "attributes"), "attributes", 8),
        AttributesMask = Hex.Parse(JsonFields.String(module, "attributesMask"), "attributesMask", 8),
        TcbLevels = withLevels ? QeIdentity.ParseIsvLevels(module) : [],
    };
}
