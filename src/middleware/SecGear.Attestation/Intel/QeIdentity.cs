using System.Buffers.Binary;
using System.Text.Json;

namespace SecGear.Attestation.Intel;

/// <summary>A parsed Intel enclave identity (QE identity: id <c>QE</c> or <c>TD_QE</c>, version 2).</summary>
public sealed class QeIdentity
{
    /// <summary><c>QE</c>, <c>TD_QE</c> or <c>QVE</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The format version.</summary>
    public required int Version { get; init; }

    /// <summary>issueDate.</summary>
    public required DateTimeOffset IssueDate { get; init; }

    /// <summary>nextUpdate.</summary>
    public required DateTimeOffset NextUpdate { get; init; }

    /// <summary>tcbEvaluationDataNumber.</summary>
    public required int TcbEvaluationDataNumber { get; init; }

    /// <summary>Expected MISCSELECT after masking. The JSON hex is the field's bytes as they appear in the report (little-endian).</summary>
    public required uint MiscSelect { get; init; }

    /// <summary>Mask applied to MISCSELECT.</summary>
    public required uint MiscSelectMask { get; init; }

    /// <summary>Expected ATTRIBUTES after masking (16 bytes).</summary>
    public required ReadOnlyMemory<byte> Attributes { get; init; }

    /// <summary>Mask applied to ATTRIBUTES (16 bytes).</summary>
    public required ReadOnlyMemory<byte> AttributesMask { get; init; }

    /// <summary>Expected MRSIGNER (32 bytes).</summary>
    public required ReadOnlyMemory<byte> MrSigner { get; init; }

    /// <summary>Expected ISVPRODID.</summary>
    public required int IsvProdId { get; init; }

    /// <summary>TCB levels, best first.</summary>
    public required IReadOnlyList<IsvTcbLevel> TcbLevels { get; init; }

    /// <summary>Parses the exact signed <c>enclaveIdentity</c> object. Throws <see cref="FormatException"/> when malformed.</summary>
    public static QeIdentity Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            // Duplicate keys are refused: two readers of the same JSON must never see different values.
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("enclaveIdentity is not a JSON object");
            }

            return new QeIdentity
            {
                Id = JsonFields.String(root, "id"),
                Version = JsonFields.Int(root, "version"),
                IssueDate = JsonFields.Date(root, "issueDate"),
                NextUpdate = JsonFields.Date(root, "nextUpdate"),
                TcbEvaluationDataNumber = JsonFields.Int(root, "tcbEvaluationDataNumber"),
                MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(Hex.Parse(JsonFields.String(root, "miscselect"), "miscselect", 4)),
                MiscSelectMask = BinaryPrimitives.ReadUInt32LittleEndian(Hex.Parse(JsonFields.String(root, "miscselectMask"), "miscselectMask", 4)),
                Attributes = Hex.Parse(JsonFields.String(root, "attributes"), "attributes", 16),
                AttributesMask = Hex.Parse(JsonFields.String(root, "attributesMask"), "attributesMask", 16),
                MrSigner = Hex.Parse(JsonFields.String(root, "mrsigner"), "mrsigner", 32),
                IsvProdId = JsonFields.Int(root, "isvprodid"),
                TcbLevels = ParseIsvLevels(root),
            };
        }
        catch (JsonException ex)
        {
            throw new FormatException($"enclaveIdentity is not valid JSON: {FailureText.Of(ex)}", ex);
        }
    }

    internal static IsvTcbLevel[] ParseIsvLevels(JsonElement parent) =>
        JsonFields.Array(parent, "tcbLevels").EnumerateArray().Select(level => new IsvTcbLevel
        {
            IsvSvn = JsonFields.Int(JsonFields.Object(level, "tcb"), "isvsvn"),
            TcbDate = JsonFields.Date(level, "tcbDate"),
            Status = JsonFields.Status(level, "tcbStatus"),
            AdvisoryIds = JsonFields.Advisories(level),
        }).ToArray();
}
