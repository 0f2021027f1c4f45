using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary><c>/reference-values</c> (admin): named sets of trusted measurements, versioned like policies.</summary>
internal static class ReferenceValueEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var group = admin.MapGroup(AttestationServiceRoutes.ReferenceValues).WithTags("Reference values");
        group.MapGet("", ListAsync).Produces<ReferenceValueSet[]>();
        group.MapGet("/{id}", GetAsync).Produces<ReferenceValueSet>().ProducesProblem(404);
        group.MapPut("/{id}", PutAsync).Accepts<ReferenceValueWriteRequest>("application/json")
            .Produces<ReferenceValueSet>(200).Produces<ReferenceValueSet>(201).ProducesProblem(400).ProducesProblem(412);
        group.MapDelete("/{id}", DeleteAsync).Produces(204).ProducesProblem(404).ProducesProblem(412);
    }

    private static async Task<ReferenceValueSet[]> ListAsync(IAttestationStore store, CancellationToken cancellationToken) =>
        [.. (await store.ListDocumentsAsync(DocumentKind.ReferenceValues, cancellationToken).ConfigureAwait(false)).Select(DocumentCodec.ToReferenceValues)];

    private static async Task<ReferenceValueSet> GetAsync(string id, HttpContext context) =>
        DocumentCodec.ToReferenceValues(await VersionedDocuments.GetAsync(
            context, DocumentKind.ReferenceValues, Validation.Id(id, "reference-value set"), ServiceErrorCodes.ReferenceValuesUnknown).ConfigureAwait(false));

    private static async Task<ReferenceValueSet> PutAsync(string id, HttpContext context)
    {
        Validation.Id(id, "reference-value set");
        var request = await RequestBody.ReadAsync<ReferenceValueWriteRequest>(context).ConfigureAwait(false);
        if (request.MinimumSecurityVersion is < 0)
        {
            throw Validation.PolicyInvalid("'minimumSecurityVersion' must not be negative.");
        }

        if (request.ProductIds is { Count: > 1024 })
        {
            throw Validation.PolicyInvalid("'productIds' holds more than 1024 ids.");
        }

        var normalised = new ReferenceValueWriteRequest(
            Validation.HexIds(request.UniqueIds, "uniqueIds"),
            Validation.HexIds(request.SignerIds, "signerIds"),
            [.. request.ProductIds ?? []],
            request.MinimumSecurityVersion);
        return DocumentCodec.ToReferenceValues(await VersionedDocuments.PutAsync(
            context, DocumentKind.ReferenceValues, id, DocumentCodec.Encode(normalised), null).ConfigureAwait(false));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IAttestationStore store)
    {
        Validation.Id(id, "reference-value set");
        var users = (await store.ListDocumentsAsync(DocumentKind.Policy, context.RequestAborted).ConfigureAwait(false))
            .Where(policy => DocumentCodec.ToPolicy(policy).ReferenceValues.Contains(id, StringComparer.Ordinal))
            .Select(policy => policy.Id)
            .ToArray();
        if (users.Length > 0)
        {
            throw Validation.PolicyInvalid($"The reference-value set '{id}' is used by the policies {string.Join(", ", users)}; remove it from them first.");
        }

        return await VersionedDocuments.DeleteAsync(context, DocumentKind.ReferenceValues, id, ServiceErrorCodes.ReferenceValuesUnknown).ConfigureAwait(false);
    }
}
