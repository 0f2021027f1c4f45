namespace SecGear.FederatedSql;

/// <summary>The kinds of federated query failure (stable names: they appear in messages and on the wire).</summary>
public enum FederatedSqlFailureCode
{
    /// <summary>The SQL text is not well-formed.</summary>
    Syntax,

    /// <summary>The SQL is well-formed but uses something outside the documented subset (docs/federated-sql.md).</summary>
    OutsideSubset,

    /// <summary>A table or column is not in the federation's catalog, or a column name is ambiguous.</summary>
    UnknownName,

    /// <summary>The disclosure policy is invalid or below a floor (for example k smaller than a site requires).</summary>
    PolicyRejected,

    /// <summary>A site's partial plan differs from the one the enclave made.</summary>
    PlanMismatch,

    /// <summary>A partial result is malformed, replayed, for another query, or from a site not in the federation.</summary>
    PartialResultRejected,

    /// <summary>A site failed, refused or disappeared before delivering its whole partial result.</summary>
    SiteFailed,

    /// <summary>The enclave or coordinator state does not allow this call (unknown query, not configured).</summary>
    InvalidState,

    /// <summary>The roster the enclave shows (sites, analysts, k floor, catalog) is not the one a site pinned.</summary>
    RosterMismatch,

    /// <summary>The answer is released only to an analyst of the roster, inside the analyst's own channel.</summary>
    AnswerNotReleased,
}
