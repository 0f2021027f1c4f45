namespace SecGear.FederatedSql.Coordinator;

/// <summary>One frame as the coordinator's host relays it (handshake or ciphertext): which party, which way, its bytes.</summary>
/// <param name="Site">The site's (or analyst's) name.</param>
/// <param name="ToEnclave">True for party to enclave.</param>
/// <param name="Frame">The frame as relayed.</param>
/// <param name="Analyst">True when the party is an analyst fetching an answer, not a site.</param>
public sealed record RelayedFrame(string Site, bool ToEnclave, byte[] Frame, bool Analyst = false);
