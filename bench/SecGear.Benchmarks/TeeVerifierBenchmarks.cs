using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SecGear.Attestation;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.ArmCca;
using SecGear.Attestation.AwsNitro;

namespace SecGear.Benchmarks;

/// <summary>
/// Each TEE verifier (SEV-SNP, Nitro, CCA) on real evidence with warm caches, against its floor measured in the same
/// run: the bare signature verifications the evidence needs once the chain is known good (SNP: one ECDSA P-384 over
/// the report; Nitro: one ES384 COSE signature; CCA: the platform and realm COSE signatures). The Ratio column is
/// verifier time divided by floor time. Needs ../shared/testvectors (or SECGEAR_TESTVECTORS).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TeeVerifierBenchmarks
{
    private static readonly DateTimeOffset SnpTime = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NitroTime = new(2022, 11, 9, 22, 52, 0, TimeSpan.Zero);

    private readonly SevSnpVerifier _snp = new();
    private readonly NitroVerifier _nitro = new();
    private CcaVerifier _cca = new();
    private byte[] _snpReport = [];
    private SevSnpCollateral _snpCollateral = null!;
    private ECDsa _snpKey = null!;
    private byte[] _snpSignature = [];
    private byte[] _nitroDocument = [];
    private ECDsa _nitroKey = null!;
    private byte[] _ccaToken = [];
    private ECDsa _cpak = null!;
    private ECDsa _rak = null!;

    [GlobalSetup]
    public void Setup()
    {
        _snpReport = Vector("sev-snp/trustee/test-report.bin");
        _snpCollateral = SevSnpCollateral.Create(Vector("sev-snp/trustee/test-vcek.der"), Vector("sev-snp/trustee/milan_ask_ark_asvk.pem"));
        _snpKey = _snpCollateral.KeyCertificate.GetECDsaPublicKey()!;
        _snpSignature = (SnpReport.TryParse(_snpReport, out var snp, out var snpFailure) ? snp : throw new InvalidOperationException(snpFailure.ToString())).SignatureP1363();

        _nitroDocument = Vector("aws-nitro/veracruz/aws_nitro_document.cbor");
        _nitroKey = X509CertificateLoader
            .LoadCertificate((NitroDocument.TryParse(_nitroDocument, out var nitro, out var nitroFailure) ? nitro : throw new InvalidOperationException(nitroFailure.ToString())).Certificate).GetECDsaPublicKey()!;

        _ccaToken = Vector("arm-cca/veraison-rust-ccatoken/cca-token-01.cbor");
        var keys = CcaPlatformKeyStore.FromJson(System.Text.Encoding.UTF8.GetString(Vector("arm-cca/veraison-rust-ccatoken/ta-tfa.json")));
        _cca = new CcaVerifier(new CcaVerifierOptions { PlatformKeys = keys });
        _cpak = ECDsa.Create(keys.Keys[0].Key);
        var rakPoint = (CcaToken.TryParse(_ccaToken, out var cca, out var ccaFailure) ? cca : throw new InvalidOperationException(ccaFailure.ToString())).Realm.PublicKey;
        _rak = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = rakPoint[1..49], Y = rakPoint[49..] } });

        if (!SnpVerify() || !NitroVerify() || !CcaVerify() || !SnpFloor() || !NitroFloor() || !CcaFloor())
        {
            throw new InvalidOperationException("a TEE sample did not verify; the benchmark would measure a failure path");
        }
    }

    /// <summary>SEV-SNP floor: the report's ECDSA P-384 signature with an already imported VCEK key.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("SevSnp")]
    public bool SnpFloor() => _snpKey.VerifyData(_snpReport.AsSpan(0, SnpReport.SignedLength), _snpSignature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>SEV-SNP verifier: parse, chain (cached links), validity, report signature, TCB/CHIP_ID binding, claims.</summary>
    [Benchmark, BenchmarkCategory("SevSnp")]
    public bool SnpVerify() => _snp.Verify(_snpReport, _snpCollateral, SnpTime).Succeeded;

    /// <summary>Nitro floor: decode the COSE_Sign1 and verify its ES384 signature with an already imported leaf key.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Nitro")]
    public bool NitroFloor() => CoseMessage.DecodeSign1(_nitroDocument).VerifyEmbedded(_nitroKey);

    /// <summary>Nitro verifier: parse, load five certificates, chain (cached links), validity, COSE signature, claims.</summary>
    [Benchmark, BenchmarkCategory("Nitro")]
    public bool NitroVerify() => _nitro.Verify(_nitroDocument, null, NitroTime).Succeeded;

    /// <summary>CCA floor: parse both COSE_Sign1 tokens and verify both signatures with already imported keys.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("Cca")]
    public bool CcaFloor()
    {
        var token = CcaToken.TryParse(_ccaToken, out var parsed, out var failure) ? parsed : throw new InvalidOperationException(failure.ToString());
        return token.PlatformMessage.VerifyEmbedded(_cpak) & token.RealmMessage.VerifyEmbedded(_rak);
    }

    /// <summary>CCA verifier: parse, CPAK lookup and import, platform signature, RAK import, realm signature, binding, claims.</summary>
    [Benchmark, BenchmarkCategory("Cca")]
    public bool CcaVerify() => _cca.Verify(_ccaToken, null, DateTimeOffset.UnixEpoch).Succeeded;

    internal static byte[] Vector(string relative)
    {
        var root = Environment.GetEnvironmentVariable("SECGEAR_TESTVECTORS");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); string.IsNullOrEmpty(root) && dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                root = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testvectors"));
            }
        }

        return File.ReadAllBytes(Path.Combine(root ?? throw new InvalidOperationException("test vectors not found: set SECGEAR_TESTVECTORS"), relative));
    }
}
