using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Hosting;

/// <summary>The write and delete protocol shared by policies, reference values and resources (conditions, 412, ETag, 201/200/204).</summary>
internal static class VersionedDocuments
{
    /// <summary>Stores the document under the request's condition and sets the response status and ETag.</summary>
    public static async Task<StoredDocument> PutAsync(HttpContext context, DocumentKind kind, string id, string body, byte[]? secret)
    {
        var condition = Validation.Condition(context.Request);
        var store = context.RequestServices.GetRequiredService<IAttestationStore>();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var write = await store.PutDocumentAsync(kind, id, body, secret, condition, now, context.RequestAborted).ConfigureAwait(false);
        if (!write.Stored)
        {
            throw new ServiceProblemException(
                StatusCodes.Status412PreconditionFailed,
                ServiceErrorCodes.VersionConflict,
                condition.CreateOnly
                    ? $"'{id}' exists already (If-None-Match: *)."
                    : $"'{id}' is not at version {condition.ExpectedVersion} (someone else wrote first, or it does not exist).");
        }

        context.Response.StatusCode = write.Outcome == WriteOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        context.Response.Headers.ETag = Validation.ETag(write.Document.Version);
        return write.Document;
    }

    /// <summary>Deletes the document (conditionally with If-Match); 404 with <paramref name="unknownCode"/> when absent.</summary>
    public static async Task<IResult> DeleteAsync(HttpContext context, DocumentKind kind, string id, string unknownCode)
    {
        var expected = Validation.ExpectedVersion(context.Request);
        var store = context.RequestServices.GetRequiredService<IAttestationStore>();
        var outcome = await store.DeleteDocumentAsync(kind, id, expected, context.RequestAborted).ConfigureAwait(false);
        return outcome switch
        {
            WriteOutcome.NotFound => throw new ServiceProblemException(StatusCodes.Status404NotFound, unknownCode, $"Nothing is stored under '{id}'."),
            WriteOutcome.ConditionFailed => throw new ServiceProblemException(
                StatusCodes.Status412PreconditionFailed, ServiceErrorCodes.VersionConflict, $"'{id}' is not at version {expected}."),
            _ => Results.NoContent(),
        };
    }

    /// <summary>The stored document, or 404 with <paramref name="unknownCode"/>; sets the ETag.</summary>
    public static async Task<StoredDocument> GetAsync(HttpContext context, DocumentKind kind, string id, string unknownCode)
    {
        var store = context.RequestServices.GetRequiredService<IAttestationStore>();
        var document = await store.GetDocumentAsync(kind, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new ServiceProblemException(StatusCodes.Status404NotFound, unknownCode, $"Nothing is stored under '{id}'.");
        context.Response.Headers.ETag = Validation.ETag(document.Version);
        return document;
    }
}
