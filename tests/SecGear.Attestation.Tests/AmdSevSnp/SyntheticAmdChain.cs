using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

/// <summary>
/// A test AMD-shaped PKI (RSA-PSS ARK and ASK, P-384 VCEK carrying a real VCEK's AMD extensions, optionally edited)
/// that re-signs a real report, to exercise the binding checks the real samples cannot reach.
/// </summary>
internal sealed class SyntheticAmdChain : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly RSA _arkKey = RSA.Create(2048);
    private readonly RSA _askKey = RSA.Create(2048);
    private readonly ECDsa _vcekKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public SyntheticAmdChain(X509Certificate2 realVcek, Func<string, byte[], byte[]>? editExtension = null)
    {
        var arkRequest = new CertificateRequest("CN=ARK-Milan, O=Advanced Micro Devices", _arkKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        arkRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Ark = arkRequest.CreateSelfSigned(Start, Start.AddYears(20));

        var askRequest = new CertificateRequest("CN=SEV-Milan, O=Advanced Micro Devices", _askKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        askRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Ask = askRequest.Create(Ark.SubjectName, X509SignatureGenerator.CreateForRSA(_arkKey, RSASignaturePadding.Pss), Start, Start.AddYears(20), [2]);

        var vcekRequest = new CertificateRequest("CN=SEV-VCEK, O=Advanced Micro Devices", _vcekKey, HashAlgorithmName.SHA384);
        foreach (var extension in realVcek.Extensions)
        {
            if (extension.Oid?.Value is { } oid && oid.StartsWith("1.3.6.1.4.1.3704.1.", StringComparison.Ordinal))
            {
                vcekRequest.CertificateExtensions.Add(new X509Extension(oid, editExtension?.Invoke(oid, extension.RawData) ?? extension.RawData, false));
            }
        }

        Vcek = vcekRequest.Create(Ask.SubjectName, X509SignatureGenerator.CreateForRSA(_askKey, RSASignaturePadding.Pss), Start, Start.AddYears(7), [3]);
    }

    public X509Certificate2 Ark { get; }

    public X509Certificate2 Ask { get; }

    public X509Certificate2 Vcek { get; }

    public SevSnpVerifier Verifier => new(new SevSnpVerifierOptions { TrustAnchors = TrustAnchors.FromFingerprints([]).Add(Ark.RawData) });

    public SevSnpCollateral Collateral =>
        SevSnpCollateral.Create(Vcek.RawData, System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", Ask.RawData) + "\n" + PemEncoding.WriteString("CERTIFICATE", Ark.RawData) + "\n"));

    /// <summary>A copy of <paramref name="report"/> re-signed with this chain's VCEK (r and s little-endian).</summary>
    public byte[] Sign(byte[] report)
    {
        var copy = (byte[])report.Clone();
        var signature = _vcekKey.SignData(copy.AsSpan(0, SnpReport.SignedLength), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        copy.AsSpan(SnpReport.SignatureOffset, 0x90).Clear();
        signature.AsSpan(0, 48).CopyTo(copy.AsSpan(SnpReport.SignatureOffset));
        signature.AsSpan(48, 48).CopyTo(copy.AsSpan(SnpReport.SignatureOffset + 0x48));
        copy.AsSpan(SnpReport.SignatureOffset, 48).Reverse();
        copy.AsSpan(SnpReport.SignatureOffset + 0x48, 48).Reverse();
        return copy;
    }

    public void Dispose()
    {
        Ark.Dispose();
        Ask.Dispose();
        Vcek.Dispose();
        _arkKey.Dispose();
        _askKey.Dispose();
        _vcekKey.Dispose();
    }
}
