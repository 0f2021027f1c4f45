namespace SecGear.AttestationService.Storage;

/// <summary>A versioned document as stored.</summary>
/// <param name="Kind">What the document is.</param>
/// <param name="Id">Its id (a resource's path).</param>
/// <param name="Version">1 on creation, incremented by every write.</param>
/// <param name="Body">The public part, JSON.</param>
/// <param name="Secret">The secret part, already encrypted under the master key (resources only).</param>
/// <param name="UpdatedAt">Time of the last write.</param>
public sealed record StoredDocument(DocumentKind Kind, string Id, long Version, string Body, byte[]? Secret, DateTimeOffset UpdatedAt);
