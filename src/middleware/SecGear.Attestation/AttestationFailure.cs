namespace SecGear.Attestation;

/// <summary>A failed check: which one (<see cref="Code"/>) and what was found versus expected (<see cref="Message"/>).</summary>
/// <param name="Code">The check that failed.</param>
/// <param name="Message">A human-readable description of what was found and what was expected. Never contains secrets.</param>
public sealed record AttestationFailure(AttestationFailureCode Code, string Message)
{
    /// <summary>
    /// What was found versus expected. Text copied from .NET exceptions is cleaned here, for every failure: it never
    /// points to an inner exception or names a .NET parameter.
    /// </summary>
    public string Message { get; init; } = FailureText.Clean(Message);

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
