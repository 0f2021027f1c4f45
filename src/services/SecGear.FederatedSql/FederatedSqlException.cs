namespace SecGear.FederatedSql;

/// <summary>
/// A federated query failed: the SQL is outside the supported subset, a site refused or failed, or a partial result
/// was rejected. <see cref="Code"/> says which; the message says what was found and what was expected and never
/// carries a data value from a site.
/// </summary>
public sealed class FederatedSqlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FederatedSqlException(FederatedSqlFailureCode code, string message)
        : base(message) => Code = code;

    /// <summary>Creates the exception with its cause.</summary>
    public FederatedSqlException(FederatedSqlFailureCode code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>What kind of failure this is.</summary>
    public FederatedSqlFailureCode Code { get; }

    /// <summary>The "Code: message" text services send for a failure.</summary>
    public string ToWire() => $"{Code}: {Message}";

    /// <summary>Reads "Code: message" text (an unknown code reads as <see cref="FederatedSqlFailureCode.InvalidState"/>).</summary>
    public static FederatedSqlException FromWire(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        var code = colon > 0 && Enum.TryParse<FederatedSqlFailureCode>(text[..colon], out var parsed) ? parsed : FederatedSqlFailureCode.InvalidState;
        return new FederatedSqlException(code, colon > 0 ? text[(colon + 2)..] : text);
    }
}
