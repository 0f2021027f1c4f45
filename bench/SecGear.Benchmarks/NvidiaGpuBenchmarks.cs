using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Benchmarks;

/// <summary>
/// The NVIDIA GPU verifier on GPU-1 (H100 SPDM report + 5-certificate chain) against two floors measured in the same
/// run: the bare ECDSA P-384 report signature with an already imported leaf key (baseline), and that signature plus
/// the four ECDSA P-384 chain-link signatures over pre-split TBS bytes with already imported issuer keys (what a
/// verifier without a link cache must at least do). The verifier is measured warm (chain verified once and cached;
/// per call: text decoding, SPDM parse, validity, FWID binding, report signature, claims) and cold (a new verifier per
/// call: PEM decoding, chain links, FWID extension). Needs ../shared/testvectors (or SECGEAR_TESTVECTORS).
/// </summary>
[MemoryDiagnoser]
public class NvidiaGpuBenchmarks
{
    private static readonly DateTimeOffset Time = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly NvidiaGpuVerifier _warm = new();
    private byte[] _evidence = [];
    private byte[] _signedBytes = [];
    private byte[] _signature = [];
    private ECDsa _leafKey = null!;
    private (byte[] Tbs, byte[] Signature, ECDsa IssuerKey)[] _links = [];

    [GlobalSetup]
    public void Setup()
    {
        var report = Convert.FromHexString(System.Text.Encoding.ASCII.GetString(TeeVerifierBenchmarks.Vector("nvidia-gpu/trustee/hopperAttestationReport.txt")).Trim());
        var chainPem = TeeVerifierBenchmarks.Vector("nvidia-gpu/trustee/hopper_cert_chain_case1.txt");
        _evidence = NvidiaGpuEvidence.Encode(report, chainPem);
        if (!SpdmMeasurementReport.TryParse(report, out var parsed, out var failure))
        {
            throw new InvalidOperationException(failure.ToString());
        }
        _signedBytes = parsed.SignedBytes.ToArray();
        _signature = parsed.Signature.ToArray();

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(System.Text.Encoding.ASCII.GetString(chainPem));
        _leafKey = certificates[0].GetECDsaPublicKey()!;
        _links = [.. Enumerable.Range(0, certificates.Count - 1).Select(i => Split(certificates[i], certificates[i + 1]))];

        if (!SignatureFloor() || !SignatureAndChainFloor() || !VerifyWarm() || !VerifyCold())
        {
            throw new InvalidOperationException("GPU-1 did not verify; the benchmark would measure a failure path");
        }
    }

    /// <summary>Floor: the report's ECDSA P-384 / SHA-384 signature with an imported key.</summary>
    [Benchmark(Baseline = true)]
    public bool SignatureFloor() => _leafKey.VerifyData(_signedBytes, _signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Floor: the report signature and the four chain-link signatures, keys imported, TBS pre-split.</summary>
    [Benchmark]
    public bool SignatureAndChainFloor()
    {
        bool ok = SignatureFloor();
        foreach (var (tbs, linkSignature, issuerKey) in _links)
        {
            ok &= issuerKey.VerifyData(tbs, linkSignature, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence);
        }

        return ok;
    }

    /// <summary>The verifier with its chain cache warm (the steady state of a service).</summary>
    [Benchmark]
    public bool VerifyWarm() => _warm.Verify(_evidence, null, Time).Succeeded;

    /// <summary>The verifier with nothing cached: every certificate decoded and every link checked.</summary>
    [Benchmark]
    public bool VerifyCold() => new NvidiaGpuVerifier().Verify(_evidence, null, Time).Succeeded;

    private static (byte[], byte[], ECDsa) Split(X509Certificate2 subject, X509Certificate2 issuer)
    {
        var sequence = new AsnReader(subject.RawData, AsnEncodingRules.DER).ReadSequence();
        var tbs = sequence.ReadEncodedValue().ToArray();
        sequence.ReadSequence();
        return (tbs, sequence.ReadBitString(out _), issuer.GetECDsaPublicKey()!);
    }
}
