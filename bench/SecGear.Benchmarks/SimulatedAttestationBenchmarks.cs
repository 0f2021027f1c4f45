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
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"));
    private SimulatedPlatform _platform = null!;
    private SimulatedPlatform _peer = null!;
    private AttestationVerifier _verifier = null!;
    private TrustAnchors _anchors = null!;
    private Evidence _evidence = null!;
    private SimulationEvidence _parsed = null!;
    private ECDsa _caKey = null!;
    private ECDsa _attestationKey = null!;
    private ECDsa _signingKey = null!;
    private byte[] _keyCertificateTbs = [];
    private byte[] _keyCertificateSignature = [];
    private byte[] _report = [];

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        _platform = new SimulatedPlatform(new EnclaveIdentity(SHA256.HashData("a"u8), SHA256.HashData("s"u8), 1, 1, false), options);
        _peer = new SimulatedPlatform(new EnclaveIdentity(SHA256.HashData("b"u8), SHA256.HashData("s"u8), 1, 1, false), options);
        _verifier = new AttestationVerifier();
        _anchors = TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options));
        _verifier.Register(new SimulationEvidenceVerifier(_anchors));
        _evidence = new Evidence(EvidenceFormats.SecGearSimulation, _platform.GetEvidence(new byte[64]));
        if (!_verifier.Verify(_evidence, null, Time).Succeeded || !SimulationEvidence.TryParse(_evidence.Data.Span, out var p, out _))
        {
            throw new InvalidOperationException("simulation evidence does not verify");
        }

        _parsed = p;
        using var ca = X509CertificateLoader.LoadCertificate(_parsed.CaCertificate.Span);
        using var key = X509CertificateLoader.LoadCertificate(_parsed.AttestationKeyCertificate.Span);
        _caKey = ca.GetECDsaPublicKey()!;
        _attestationKey = key.GetECDsaPublicKey()!;
        _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var outer = new System.Formats.Asn1.AsnReader(_parsed.AttestationKeyCertificate, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        _keyCertificateTbs = outer.ReadEncodedValue().ToArray();
        outer.ReadSequence();
        _keyCertificateSignature = outer.ReadBitString(out _);
        _report = _platform.CreateReport(_peer.Identity.Measurement, new byte[64]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _platform.Dispose();
        _peer.Dispose();
        _caKey.Dispose();
        _attestationKey.Dispose();
        _signingKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public bool Floor_two_ecdsa_verifications() =>
        _caKey.VerifyData(_keyCertificateTbs, _keyCertificateSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
        & _attestationKey.VerifyData(_parsed.SignedBytes.Span, _parsed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool Verify_simulation_evidence_warm() => _verifier.Verify(_evidence, null, Time).Succeeded;

    [Benchmark]
    public bool Verify_simulation_evidence_cold() => new SimulationEvidenceVerifier(_anchors).Verify(_evidence.Data, null, Time).Succeeded;

    [Benchmark]
    public byte[] Floor_one_ecdsa_sign() => _signingKey.SignData(_parsed.SignedBytes.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public byte[] Get_evidence() => _platform.GetEvidence(new byte[64]);

    [Benchmark]
    public LocalReport Local_report_create_and_verify() => _peer.VerifyReport(_platform.CreateReport(_peer.Identity.Measurement, _report.AsSpan(108, 64)));
}
