namespace SecGear.FederatedSql.Coordinator;

/// <summary>One frame as the coordinator's host relays it (handshake or ciphertext): which site, which way, its bytes.</summary>
/// <param name="Site">The site's name.</param>
/// <param name="ToEnclave">True for site to enclave.</param>
/// <param name="Frame">The frame as relayed.</param>
public sealed record RelayedFrame(string Site, bool ToEnclave, byte[] Frame);
