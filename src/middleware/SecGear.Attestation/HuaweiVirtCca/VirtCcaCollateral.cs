using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// The certificates that endorse a virtCCA device: its AIK certificate and the Huawei chain above it (Huawei IT Product
/// CA, Huawei Equipment CA). The root is trusted only when its fingerprint is pinned in <see cref="VirtCcaVerifierOptions.Roots"/>.
/// </summary>
public sealed class VirtCcaCollateral : CertificateChainCollateral
{
    private VirtCcaCollateral(X509Certificate2 aik, IReadOnlyList<X509Certificate2> chain)
        : base(aik, chain)
    {
    }

    /// <inheritdoc />
    public override string Format => EvidenceFormats.HuaweiVirtCcaToken;

    /// <summary>The device AIK certificate.</summary>
    public X509Certificate2 Aik => Leaf;

    /// <summary>
    /// Builds collateral from certificates given as pieces, each DER or PEM (one or more certificates). The AIK is the
    /// one certificate that is not self-issued and issues no other; the rest form the chain.
    /// </summary>
    /// <exception cref="AttestationException"><see cref="AttestationFailureCode.CollateralMalformed"/>: a piece cannot be read, or there is not exactly one leaf.</exception>
    public static VirtCcaCollateral Load(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var certificates = new List<X509Certificate2>();
        try
        {
            foreach (var piece in pieces)
            {
                if (piece.Span.IndexOf("-----BEGIN"u8) >= 0)
                {
                    certificates.AddRange(PemCertificates.Read(piece.Span));
                }
                else
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(piece.Span));
                }

                if (certificates.Count > PemCertificates.MaxCertificates)
                {
                    throw new CryptographicException($"more than {PemCertificates.MaxCertificates} certificates");
                }
            }
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the virtCCA AIK certificate or chain cannot be read: {ex.Message}");
        }

        var leaves = certificates
            .Where(c => !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))
            .Where(c => !certificates.Any(other => !ReferenceEquals(other, c) && other.IssuerName.RawData.AsSpan().SequenceEqual(c.SubjectName.RawData)))
            .ToList();
        if (leaves.Count != 1)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the virtCCA collateral holds {leaves.Count} leaf certificates, expected exactly one AIK certificate (and its chain)");
        }

        return new VirtCcaCollateral(leaves[0], certificates.Where(c => !ReferenceEquals(c, leaves[0])).ToArray());
    }
}
