using System.Globalization;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary>Admin routes for operators and the console: the audit log, signing-key status and rotation, live counters.</summary>
internal static class OperationsEndpoints
{
    public const string Stats = "/stats";

    public static void Map(RouteGroupBuilder admin)
    {
        var audit = admin.MapGroup(AttestationServiceRoutes.Audit).WithTags("Operations");
        audit.MapGet("", QueryAsync).Produces<AuditEvent[]>().ProducesProblem(400);
        audit.MapGet("/{id}", GetAsync).Produces<AuditEvent>().ProducesProblem(404);
        admin.MapGet(AttestationServiceRoutes.Keys, KeyStatus).WithTags("Operations").Produces<SigningKeyStatus>();
        admin.MapPost(AttestationServiceRoutes.KeyRotation, RotateAsync).WithTags("Operations").Produces<SigningKeyStatus>();
        admin.MapGet(Stats, Statistics).WithTags("Operations");
    }

    private static async Task<AuditEvent[]> QueryAsync(HttpContext context, IAttestationStore store)
    {
        var query = context.Request.Query;
        int limit = 100;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            throw ServiceProblemException.Malformed("'limit' must be a whole number from 1 to 500.");
        }

        long? before = null;
        if (query.TryGetValue("beforeId", out var beforeText))
        {
            before = long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw ServiceProblemException.Malformed("'beforeId' must be a whole number.");
        }

        var filter = new AuditQuery(
            Text(query, "endpoint"), Text(query, "verdict"), Text(query, "tee"), Text(query, "failureCode"), BeforeId: before, Limit: limit);
        return [.. (await store.QueryAuditAsync(filter, context.RequestAborted).ConfigureAwait(false)).Select(ToEvent)];
    }

    private static async Task<AuditEvent> GetAsync(string id, HttpContext context, IAttestationStore store)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long rowId))
        {
            throw ServiceProblemException.Malformed("The audit id must be a whole number.");
        }

        var found = await store.QueryAuditAsync(new AuditQuery(Id: rowId, Limit: 1), context.RequestAborted).ConfigureAwait(false);
        return found.Count == 1
            ? ToEvent(found[0])
            : throw new ServiceProblemException(StatusCodes.Status404NotFound, ServiceErrorCodes.RouteUnknown, $"No audit row has the id {rowId} (it may have been pruned).");
    }

    private static SigningKeyStatus KeyStatus(TokenService tokens, TimeProvider time) =>
        new(tokens.Status(time.GetUtcNow()), tokens.NextScheduledRotation());

    private static async Task<SigningKeyStatus> RotateAsync(TokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        bool rotated = await tokens.RotateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new SigningKeyStatus(tokens.Status(time.GetUtcNow()), tokens.NextScheduledRotation(), rotated);
    }

    private static IResult Statistics(ServiceMetrics metrics, TokenService tokens, TimeProvider time) => Results.Json(new
    {
        started = metrics.Started,
        now = time.GetUtcNow(),
        totals = metrics.Totals.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(pair => pair.Key, pair => pair.Value),
        outstandingChallenges = metrics.OutstandingChallenges,
        currentKeyId = tokens.CurrentKeyId,
    });

    private static string? Text(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return null;
        }

        string value = values.ToString();
        return value.Length <= 128 ? value : throw ServiceProblemException.Malformed($"'{name}' is longer than 128 characters.");
    }

    private static AuditEvent ToEvent(AuditEntry entry)
    {
        var r = entry.Record;
        return new AuditEvent(entry.Id, r.Time, r.Endpoint, r.Client, r.PolicyId, r.PolicyVersion, r.Verdict, r.FailureCode, r.EvidenceSha256, r.Tee, r.Measurement);
    }
}
