using SecGear.Attestation;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary><c>/policies</c> (admin): list, get, put (validated, versioned, conditional), delete.</summary>
internal static class PolicyEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var group = admin.MapGroup(AttestationServiceRoutes.Policies).WithTags("Policies");
        group.MapGet("", ListAsync).Produces<PolicyDocument[]>();
        group.MapGet("/{id}", GetAsync).Produces<PolicyDocument>().ProducesProblem(404);
        group.MapPut("/{id}", PutAsync).Accepts<PolicyWriteRequest>("application/json")
            .Produces<PolicyDocument>(200).Produces<PolicyDocument>(201).ProducesProblem(400).ProducesProblem(412);
        group.MapDelete("/{id}", DeleteAsync).Produces(204).ProducesProblem(404).ProducesProblem(412);
    }

    private static async Task<PolicyDocument[]> ListAsync(IAttestationStore store, CancellationToken cancellationToken) =>
        [.. (await store.ListDocumentsAsync(DocumentKind.Policy, cancellationToken).ConfigureAwait(false)).Select(DocumentCodec.ToPolicy)];

    private static async Task<PolicyDocument> GetAsync(string id, HttpContext context) =>
        DocumentCodec.ToPolicy(await VersionedDocuments.GetAsync(context, DocumentKind.Policy, Validation.Id(id, "policy"), ServiceErrorCodes.PolicyUnknown).ConfigureAwait(false));

    private static async Task<PolicyDocument> PutAsync(string id, HttpContext context, IAttestationStore store)
    {
        Validation.Id(id, "policy");
        var request = await RequestBody.ReadAsync<PolicyWriteRequest>(context).ConfigureAwait(false);
        try
        {
            AttestationPolicy.FromJson(request.Policy.GetRawText());
        }
        catch (AttestationException ex)
        {
            throw Validation.PolicyInvalid(ex.Failure.Message);
        }

        var sets = (request.ReferenceValues ?? []).Select(set => Validation.Id(set, "reference-value set")).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var set in sets)
        {
            if (await store.GetDocumentAsync(DocumentKind.ReferenceValues, set, context.RequestAborted).ConfigureAwait(false) is null)
            {
                throw Validation.PolicyInvalid($"The policy names the reference-value set '{set}', which does not exist.");
            }
        }

        var body = DocumentCodec.Encode(new PolicyWriteRequest(request.Policy, sets));
        return DocumentCodec.ToPolicy(await VersionedDocuments.PutAsync(context, DocumentKind.Policy, id, body, null).ConfigureAwait(false));
    }

    private static Task<IResult> DeleteAsync(string id, HttpContext context) =>
        VersionedDocuments.DeleteAsync(context, DocumentKind.Policy, Validation.Id(id, "policy"), ServiceErrorCodes.PolicyUnknown);
}
