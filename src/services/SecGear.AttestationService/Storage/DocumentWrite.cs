using System.Diagnostics.CodeAnalysis;

namespace SecGear.AttestationService.Storage;

/// <summary>What a conditional document write did: the outcome and, when it stored the document, the stored version.</summary>
/// <param name="Outcome"><see cref="WriteOutcome.Created"/>, <see cref="WriteOutcome.Updated"/> or <see cref="WriteOutcome.ConditionFailed"/>.</param>
/// <param name="Document">The document as stored; null when the condition failed.</param>
public sealed record DocumentWrite(WriteOutcome Outcome, StoredDocument? Document)
{
    /// <summary>A write whose condition did not hold: nothing changed.</summary>
    public static DocumentWrite ConditionFailed { get; } = new(WriteOutcome.ConditionFailed, null);

    /// <summary>True when the document was stored (created or updated); <see cref="Document"/> is then set.</summary>
    [MemberNotNullWhen(true, nameof(Document))]
    public bool Stored => Document is not null;
}
