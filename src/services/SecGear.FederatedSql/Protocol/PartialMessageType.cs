namespace SecGear.FederatedSql.Protocol;

/// <summary>The messages a site and the enclave exchange inside the secure channel.</summary>
public enum PartialMessageType : byte
{
    /// <summary>Site to enclave, first: which query, which nonce, which plan, which k, how many columns.</summary>
    Header = 1,

    /// <summary>Site to enclave: a numbered batch of partial rows.</summary>
    Chunk = 2,

    /// <summary>Site to enclave, last: how many rows and chunks were sent; the result counts only once this arrives and matches.</summary>
    Trailer = 3,

    /// <summary>Enclave to site: the whole partial result was accepted.</summary>
    Accepted = 4,

    /// <summary>Enclave to site: the partial result was rejected (the reason never carries data values).</summary>
    Rejected = 5,

    /// <summary>
    /// Enclave to site, the reply to an accepted header: the canonical roster (<see cref="FederationRoster"/>). The site
    /// sends no rows unless it equals the roster its operator pinned.
    /// </summary>
    Roster = 6,

    /// <summary>Analyst to enclave: the query id, k and SHA-256 of the SQL the analyst asked; asks for the held answer.</summary>
    Fetch = 7,

    /// <summary>Enclave to analyst: the answer ("FR" encoding), only inside the analyst's channel.</summary>
    Answer = 8,
}
