using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Records every decision (attestation verdicts, resource releases and refusals) as an ILogger event and a row in the
/// store's audit table. Records hold no token, secret, key or nonce. A failure to write the row is logged and does not
/// change the answer: the decision has been made. Each decision is also counted in <see cref="ServiceMetrics"/>.
/// </summary>
public sealed partial class AuditLog(IAttestationStore store, ILogger<AuditLog> logger, ServiceMetrics metrics)
{
    /// <summary>Logs and stores one decision.</summary>
    public async Task RecordAsync(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        LogDecision(logger, record.Endpoint, record.Client, record.PolicyId, record.PolicyVersion, record.Verdict, record.FailureCode, record.EvidenceSha256);
        metrics.Decision(record);
        try
        {
            await store.AppendAuditAsync(record).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            LogAuditLost(logger, record.Endpoint, ex.Message);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Decision {Endpoint} client={Client} policy={PolicyId} version={PolicyVersion} verdict={Verdict} failure={FailureCode} evidence-sha256={EvidenceSha256}")]
    private static partial void LogDecision(
        ILogger logger, string endpoint, string? client, string? policyId, long? policyVersion, string verdict, string? failureCode, string? evidenceSha256);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "The audit row of a {Endpoint} decision was not stored: {Reason}")]
    private static partial void LogAuditLost(ILogger logger, string endpoint, string reason);
}
