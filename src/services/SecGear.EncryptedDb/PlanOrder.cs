namespace SecGear.EncryptedDb;

/// <summary>One ORDER BY key: an output column, ascending (NULLS LAST) or descending (NULLS FIRST), as PostgreSQL's default.</summary>
/// <param name="Output">Index into the outputs.</param>
/// <param name="Descending">DESC.</param>
public sealed record PlanOrder(int Output, bool Descending);
