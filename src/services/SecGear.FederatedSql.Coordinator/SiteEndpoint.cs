namespace SecGear.FederatedSql.Coordinator;

/// <summary>A site as the coordinator knows it: name, gRPC address, and the SHA-256 of its channel certificate's public key.</summary>
/// <param name="Name">The site's name.</param>
/// <param name="Address">Its gRPC address (http://127.0.0.1:PORT for h2c).</param>
/// <param name="SpkiSha256">Lower-case hex; the enclave pins it.</param>
public sealed record SiteEndpoint(string Name, Uri Address, string SpkiSha256);
