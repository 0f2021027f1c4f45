namespace SecGear.AttestationService.Storage;

/// <summary>When a versioned write may happen (HTTP <c>If-Match</c> / <c>If-None-Match</c>).</summary>
public readonly record struct WriteCondition
{
    private WriteCondition(bool createOnly, long? expectedVersion)
    {
        CreateOnly = createOnly;
        ExpectedVersion = expectedVersion;
    }

    /// <summary>Create or replace, whatever is stored.</summary>
    public static WriteCondition Always => default;

    /// <summary>Only when nothing is stored under the id (<c>If-None-Match: *</c>).</summary>
    public static WriteCondition IfAbsent => new(true, null);

    /// <summary>True for <see cref="IfAbsent"/>.</summary>
    public bool CreateOnly { get; }

    /// <summary>When set, the stored version must be this one (<c>If-Match</c>).</summary>
    public long? ExpectedVersion { get; }

    /// <summary>Only when the stored version is <paramref name="version"/> (<c>If-Match: "version"</c>).</summary>
    public static WriteCondition IfVersion(long version) => new(false, version);
}
