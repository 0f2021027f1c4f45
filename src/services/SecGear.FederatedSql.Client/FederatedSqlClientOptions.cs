using SecGear.Attestation;
using SecGear.SecureChannel;

namespace SecGear.FederatedSql.Client;

/// <summary>Who the analyst is and which enclave it trusts.</summary>
public sealed class FederatedSqlClientOptions
{
    /// <summary>The coordinator service (http://127.0.0.1:PORT for h2c).</summary>
    public required Uri Address { get; init; }

    /// <summary>The analyst's name in the roster.</summary>
    public required string Analyst { get; init; }

    /// <summary>The analyst's certificate and key; the roster pins its public key.</summary>
    public required ClientCredential Credential { get; init; }

    /// <summary>Verifies the enclave's evidence.</summary>
    public required AttestationVerifier Verifier { get; init; }

    /// <summary>What the enclave must be (pinned measurement and signer).</summary>
    public required AttestationPolicy Policy { get; init; }

    /// <summary>How long one query may take (default 5 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}
