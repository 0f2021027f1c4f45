using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Simulation;

namespace SecGear.Attestation.Tests.Simulation;

/// <summary>Builds simulation evidence from test-made keys and certificates, to reach each verifier check on its own.</summary>
internal sealed class ForgedEvidence : IDisposable
{
    public static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Inside = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private byte[] _caCertificate = [];

    public ECDsa CaKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ECDsa AttestationKey { get; init; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string CaSubject { get; init; } = "CN=Test Simulated CA";

    public string IssuerName { get; init; } = "CN=Test Simulated CA";

    public bool CaIsAuthority { get; init; } = true;

    public DateTimeOffset KeyNotAfter { get; init; } = NotAfter;

    public ECDsa? KeySigner { get; init; }

    public byte[] CaCertificate() => CaCertificateFor(CaKey);

    public byte[] Build(bool corruptSignature = false)
    {
        var ca = CaCertificate();
        var keyRequest = new CertificateRequest("CN=Test Attestation Key", AttestationKey, HashAlgorithmName.SHA256);
        using var keyCertificate = keyRequest.Create(
            new X500DistinguishedName(IssuerName), X509SignatureGenerator.CreateForECDsa(KeySigner ?? CaKey), NotBefore, KeyNotAfter, [1, 2, 3]);
        var evidence = new SimulationEvidence
        {
            Measurement = SimulatedMachine.DefaultIdentity.Measurement,
            Signer = SimulatedMachine.DefaultIdentity.Signer,
            ProductId = 1,
            SecurityVersion = 1,
            Debug = false,
            PlatformId = new byte[32],
            ReportData = new byte[64],
            AttestationKeyCertificate = keyCertificate.RawData,
            CaCertificate = ca,
        };
        var body = new byte[SimulationEvidence.SignedLength];
        evidence.WriteSignedBody(body);
        var signature = AttestationKey.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (corruptSignature)
        {
            signature[^1] ^= 1;
        }

        if (signature.Length != SimulationEvidence.SignatureLength)
        {
            // A P-384 attestation key makes a 96-byte signature; the layout has room for 64, which the verifier must still refuse.
            signature = signature[..SimulationEvidence.SignatureLength];
        }

        return (evidence with { Signature = signature }).Encode();
    }

    public void Dispose()
    {
        CaKey.Dispose();
        AttestationKey.Dispose();
    }

    private byte[] CaCertificateFor(ECDsa key)
    {
        if (_caCertificate.Length == 0)
        {
            var request = new CertificateRequest(CaSubject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(CaIsAuthority, false, 0, true));
            using var certificate = request.CreateSelfSigned(NotBefore, NotAfter);
            _caCertificate = certificate.RawData;
        }

        return _caCertificate;
    }
}
