using System.Text.Json;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Hosting;

/// <summary>Stored document bodies are the contract's write bodies as JSON (already validated and normalised).</summary>
internal static class DocumentCodec
{
    public static string Encode<T>(T body) => JsonSerializer.Serialize(body, AttestationServiceJson.Options);

    public static T Decode<T>(StoredDocument document) =>
        JsonSerializer.Deserialize<T>(document.Body, AttestationServiceJson.Options)
        ?? throw new InvalidOperationException($"The stored {document.Kind} '{document.Id}' has an empty body.");

    public static PolicyDocument ToPolicy(StoredDocument document)
    {
        var body = Decode<PolicyWriteRequest>(document);
        return new PolicyDocument(document.Id, document.Version, body.Policy, body.ReferenceValues ?? [], document.UpdatedAt);
    }

    public static ReferenceValueSet ToReferenceValues(StoredDocument document)
    {
        var body = Decode<ReferenceValueWriteRequest>(document);
        return new ReferenceValueSet(
            document.Id, document.Version, body.UniqueIds ?? [], body.SignerIds ?? [], body.ProductIds ?? [], body.MinimumSecurityVersion, document.UpdatedAt);
    }

    public static ResourceInfo ToResource(StoredDocument document) =>
        new(document.Id, document.Version, Decode<ResourcePolicy>(document), document.UpdatedAt);
}
