using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using SecGear.Attestation;
using SecGear.Attestation.Intel;

namespace SecGear.Benchmarks;

/// <summary>
/// Verifying the SGX-1 quote (dcap-qvl sample) with its collateral already parsed and the verifier warm (certificate,
/// CRL, collateral and QE report signatures cached by content, attestation key imported), against the floor measured
/// in the same run: the one ECDSA P-256 verification no cache can skip (each quote's own signature), with the key
/// already imported. Also measured: the two bare per-quote verifications (quote + QE report), verification with a cold
/// verifier (every check: 8 ECDSA verifications, 3 certificate decodes, key import), and collateral parsing.
/// Needs the shared test vectors (SECGEAR_TESTVECTORS, else ../shared/testvectors beside the repository).
/// </summary>
[MemoryDiagnoser]
public class AttestationBenchmarks
{
    private static readonly DateTimeOffset Time = new(2025, 7, 4, 0, 0, 0, TimeSpan.Zero);
    private byte[] _quote = [];
    private byte[] _collateralBytes = [];
    private Evidence _evidence = null!;
    private IntelCollateral _collateral = null!;
    private AttestationVerifier _warm = null!;
    private ECDsa _attestationKey = null!;
    private ECDsa _pckKey = null!;
    private DcapQuote _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = FindVectors();
        _quote = File.ReadAllBytes(Path.Combine(root, "sgx-dcap-v3/dcap-qvl/sgx_quote"));
        _collateralBytes = File.ReadAllBytes(Path.Combine(root, "sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json"));
        _evidence = new Evidence(EvidenceFormats.IntelDcapQuote, _quote);
        _collateral = IntelCollateral.Load(_collateralBytes);
        _warm = AttestationVerifier.CreateDefault();
        var check = _warm.Verify(_evidence, _collateral, Time);
        if (!check.Succeeded)
        {
            throw new InvalidOperationException($"SGX-1 does not verify: {check.Failure}");
        }

        if (!DcapQuoteParser.TryParse(_quote, 1 << 16, out var q, out _))
        {
            throw new InvalidOperationException("SGX-1 does not parse");
        }

        _parsed = q!;
        _attestationKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = _parsed.AttestationKey.Span[..32].ToArray(), Y = _parsed.AttestationKey.Span[32..].ToArray() },
        });
        var pem = System.Text.Encoding.ASCII.GetString(_parsed.CertificationData.Span).TrimEnd('\0');
        using var pck = X509Certificate2.CreateFromPem(pem.AsSpan(0, pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25));
        _pckKey = pck.GetECDsaPublicKey()!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _attestationKey.Dispose();
        _pckKey.Dispose();
    }

    /// <summary>Floor: the quote signature verification alone (key already imported).</summary>
    [Benchmark(Baseline = true)]
    public bool QuoteSignatureOnly() =>
        _attestationKey.VerifyData(_parsed.SignedRegion.Span, _parsed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The two per-quote ECDSA P-256 verifications a verifier without content caches needs (keys already imported).</summary>
    [Benchmark]
    public bool TwoEcdsaVerifications() =>
        _attestationKey.VerifyData(_parsed.SignedRegion.Span, _parsed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        & _pckKey.VerifyData(_parsed.QeReport.Raw.Span, _parsed.QeReportSignature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Full verification, collateral parsed and cached, verifier warm.</summary>
    [Benchmark]
    public bool VerifySgxQuoteCachedCollateral() => _warm.Verify(_evidence, _collateral, Time).Succeeded;

    /// <summary>Full verification with a new verifier (no cached signatures): every ECDSA check runs.</summary>
    [Benchmark]
    public bool VerifySgxQuoteColdCache() => AttestationVerifier.CreateDefault().Verify(_evidence, _collateral, Time).Succeeded;

    /// <summary>Parsing the collateral file (done once per collateral refresh, not per quote).</summary>
    [Benchmark]
    public IntelCollateral ParseCollateral() => IntelCollateral.Load(_collateralBytes);

    private static string FindVectors()
    {
        var env = Environment.GetEnvironmentVariable("SECGEAR_TESTVECTORS");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testvectors"));
            }
        }

        throw new InvalidOperationException("test vectors not found: set SECGEAR_TESTVECTORS");
    }
}
