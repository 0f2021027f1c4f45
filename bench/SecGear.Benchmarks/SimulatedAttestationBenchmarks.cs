using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Benchmarks;

/// <summary>
/// Simulated attestation against its floors, measured in the same run: verifying simulation evidence warm (certificate
/// pair cached: parse, two hashes, one ECDSA P-256 verification) and cold (also two certificate decodes, CA pin, the
/// certificate signature and key import) against the two bare verifications with keys already imported
/// (<see cref="Floor_two_ecdsa_verifications"/>, the baseline); producing evidence against one bare ECDSA sign; and a
/// local report round trip (two HMAC-SHA-256 and two HKDF derivations).
/// </summary>
[MemoryDiagnoser]
public class SimulatedAttestationBenchmarks
{
    private static readonly DateTimeOffset Time = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private readonly string directory = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"));
    private SimulatedPlatform platform = null!;
    private SimulatedPlatform peer = null!;
    private AttestationVerifier verifier = null!;
    private TrustAnchors anchors = null!;
    private Evidence evidence = null!;
    private SimulationEvidence parsed = null!;
    private ECDsa caKey = null!;
    private ECDsa attestationKey = null!;
    private ECDsa signingKey = null!;
    private byte[] keyCertificateTbs = [];
    private byte[] keyCertificateSignature = [];
    private byte[] report = [];

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
        platform = new SimulatedPlatform(new EnclaveIdentity(SHA256.HashData("a"u8), SHA256.HashData("s"u8), 1, 1, false), options);
        peer = new SimulatedPlatform(new EnclaveIdentity(SHA256.HashData("b"u8), SHA256.HashData("s"u8), 1, 1, false), options);
        verifier = new AttestationVerifier();
        anchors = TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options));
        verifier.Register(new SimulationEvidenceVerifier(anchors));
        evidence = new Evidence(EvidenceFormats.SecGearSimulation, platform.GetEvidence(new byte[64]));
        if (!verifier.Verify(evidence, null, Time).Succeeded || !SimulationEvidence.TryParse(evidence.Data.Span, out var p, out _))
        {
            throw new InvalidOperationException("simulation evidence does not verify");
        }

        parsed = p;
        using var ca = X509CertificateLoader.LoadCertificate(parsed.CaCertificate.Span);
        using var key = X509CertificateLoader.LoadCertificate(parsed.AttestationKeyCertificate.Span);
        caKey = ca.GetECDsaPublicKey()!;
        attestationKey = key.GetECDsaPublicKey()!;
        signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var outer = new System.Formats.Asn1.AsnReader(parsed.AttestationKeyCertificate, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        keyCertificateTbs = outer.ReadEncodedValue().ToArray();
        outer.ReadSequence();
        keyCertificateSignature = outer.ReadBitString(out _);
        report = platform.CreateReport(peer.Identity.Measurement, new byte[64]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        platform.Dispose();
        peer.Dispose();
        caKey.Dispose();
        attestationKey.Dispose();
        signingKey.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public bool Floor_two_ecdsa_verifications() =>
        caKey.VerifyData(keyCertificateTbs, keyCertificateSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
        & attestationKey.VerifyData(parsed.SignedBytes.Span, parsed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool Verify_simulation_evidence_warm() => verifier.Verify(evidence, null, Time).Succeeded;

    [Benchmark]
    public bool Verify_simulation_evidence_cold() => new SimulationEvidenceVerifier(anchors).Verify(evidence.Data, null, Time).Succeeded;

    [Benchmark]
    public byte[] Floor_one_ecdsa_sign() => signingKey.SignData(parsed.SignedBytes.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public byte[] Get_evidence() => platform.GetEvidence(new byte[64]);

    [Benchmark]
    public LocalReport Local_report_create_and_verify() => peer.VerifyReport(platform.CreateReport(peer.Identity.Measurement, report.AsSpan(108, 64)));
}
