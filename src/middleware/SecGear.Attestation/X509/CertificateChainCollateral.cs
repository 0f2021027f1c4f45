using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.X509;

/// <summary>
/// Collateral that is one endorsed key certificate and the chain above it (SEV-SNP VCEK/VLEK with the AMD chain, the
/// virtCCA AIK with the Huawei chain): valid while every certificate is.
/// </summary>
public abstract class CertificateChainCollateral : Collateral
{
    /// <summary>Holds <paramref name="leaf"/> and <paramref name="chain"/>; the validity is the intersection of theirs.</summary>
    protected CertificateChainCollateral(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(chain);
        Leaf = leaf;
        Chain = chain;
        var all = chain.Append(leaf).ToArray();
        ValidFrom = all.Max(c => new DateTimeOffset(c.NotBefore.ToUniversalTime()));
        ValidUntil = all.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime()));
    }

    /// <inheritdoc />
    public override DateTimeOffset ValidFrom { get; }

    /// <inheritdoc />
    public override DateTimeOffset ValidUntil { get; }

    /// <summary>The issuing chain (intermediates and root, any order).</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>The endorsed key's certificate.</summary>
    protected X509Certificate2 Leaf { get; }
}
