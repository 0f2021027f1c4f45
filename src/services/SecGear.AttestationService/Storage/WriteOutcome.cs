namespace SecGear.AttestationService.Storage;

/// <summary>What a conditional write or delete did.</summary>
public enum WriteOutcome
{
    /// <summary>A new document was stored.</summary>
    Created,

    /// <summary>An existing document was replaced (or deleted).</summary>
    Updated,

    /// <summary>The condition did not hold; nothing changed.</summary>
    ConditionFailed,

    /// <summary>Nothing is stored under the id (deletes).</summary>
    NotFound,
}
