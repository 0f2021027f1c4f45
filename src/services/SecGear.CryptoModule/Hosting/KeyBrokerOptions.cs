namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// The section <c>CryptoModule:KeyBroker</c>: when <see cref="Url"/> is set, the store wrapping key is not sealed on
/// this machine but released by the attestation service's key broker to the attested enclave at every start, so every
/// instance of the same enclave identity (behind a load balancer, on any machine) opens the same store.
/// </summary>
public sealed class KeyBrokerOptions
{
    /// <summary>The attestation service's base URL (e.g. <c>https://attest.example:5080/</c>); unset = sealed store key.</summary>
    public string? Url { get; set; }

    /// <summary>The attestation policy the enclave's evidence is appraised under (default <c>cryptomodule</c>).</summary>
    public string Policy { get; set; } = "cryptomodule";

    /// <summary>The resource holding the 32-byte store key, <c>repository/type/tag</c> (default <c>cryptomodule/store-key/default</c>).</summary>
    public string Resource { get; set; } = "cryptomodule/store-key/default";

    /// <summary>Timeout of each request to the service (default 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
