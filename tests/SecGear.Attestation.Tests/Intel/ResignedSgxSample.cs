using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests.Intel;

/// <summary>
/// SGX-1 moved under a test PKI so that its collateral can be edited: a test root (the trust anchor), a PCK CA, a PCK
/// certificate carrying the real PCK's SGX extension (same FMSPC, PCE id and TCB SVNs), and a TCB signing certificate.
/// The quote keeps its header, body, attestation key, QE report and quote signature; only the QE report signature (now
/// by the test PCK key) and the PCK chain are replaced. TCB info and QE identity are re-signed after the caller's edits,
/// and both CRLs are issued afresh. No real vector has a QE that is out of date or revoked; this is how one is made.
/// </summary>
internal sealed class ResignedSgxSample : IDisposable
{
    private static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _pckKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _pck;
    private readonly X509Certificate2 _signing;
    private readonly Dictionary<string, string> _fields;

    public ResignedSgxSample()
    {
        _fields = JsonDocument.Parse(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")).RootElement
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var original = Samples.Sgx1Quote;
        var realPck = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(CertificationData(original)));

        _root = Certificate(_rootKey, "CN=Test SGX Root CA, O=SecGear.NET tests", null, null, ca: true, serial: 1);
        _ca = Certificate(_caKey, "CN=Test SGX PCK Processor CA, O=SecGear.NET tests", _root, _rootKey, ca: true, serial: 2);
        _pck = Certificate(_pckKey, "CN=Test SGX PCK Certificate, O=SecGear.NET tests", _ca, _caKey, ca: false, serial: 3, realPck.Extensions[PckExtension.Oid]);
        _signing = Certificate(_signingKey, "CN=Test SGX TCB Signing, O=SecGear.NET tests", _root, _rootKey, ca: false, serial: 4);
        Quote = Rechain(original);
        Anchors = TrustAnchors.FromFingerprints([]).Add(_root.RawData);
    }

    /// <summary>SGX-1's quote with the QE report signed by the test PCK key and the test PCK chain.</summary>
    public byte[] Quote { get; }

    /// <summary>Trusts the test root only.</summary>
    public TrustAnchors Anchors { get; }

    /// <summary>
    /// Collateral built from SGX-1's TCB info and QE identity after <paramref name="editTcbInfo"/> and
    /// <paramref name="editQeIdentity"/>, re-signed by the test TCB signing key — over the unedited texts when
    /// <paramref name="signBeforeEdits"/> (a forgery).
    /// </summary>
    public IntelCollateral Collateral(Action<JsonObject>? editTcbInfo = null, Action<JsonObject>? editQeIdentity = null, bool signBeforeEdits = false)
    {
        string tcbInfo = Edit(_fields["tcb_info"], editTcbInfo);
        string qeIdentity = Edit(_fields["qe_identity"], editQeIdentity);
        string tcbInfoSignature = Sign(_signingKey, signBeforeEdits ? _fields["tcb_info"] : tcbInfo);
        string qeIdentitySignature = Sign(_signingKey, signBeforeEdits ? _fields["qe_identity"] : qeIdentity);
        string signingChain = Pem(_signing) + Pem(_root);
        return IntelCollateral.FromPcsResponses(
            Encoding.UTF8.GetBytes($"{{\"tcbInfo\":{tcbInfo},\"signature\":\"{tcbInfoSignature}\"}}"),
            Encoding.ASCII.GetBytes(signingChain),
            Encoding.UTF8.GetBytes($"{{\"enclaveIdentity\":{qeIdentity},\"signature\":\"{qeIdentitySignature}\"}}"),
            Encoding.ASCII.GetBytes(signingChain),
            Crl(_ca, _caKey),
            Encoding.ASCII.GetBytes(Pem(_ca) + Pem(_root)),
            Crl(_root, _rootKey));
    }

    /// <summary>Verifies <see cref="Quote"/> with <paramref name="collateral"/> at SGX-1's time, trusting only the test root.</summary>
    public AttestationResult Verify(IntelCollateral collateral)
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new IntelDcapVerifier(new IntelDcapVerifierOptions { TrustAnchors = Anchors }));
        return verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, Quote), collateral, Samples.Sgx1Time);
    }

    public void Dispose()
    {
        foreach (var certificate in new[] { _root, _ca, _pck, _signing })
        {
            certificate.Dispose();
        }

        foreach (var key in new[] { _rootKey, _caKey, _pckKey, _signingKey })
        {
            key.Dispose();
        }
    }

    /// <summary>Quote v3 layout: header 48, body 384, u32 signature data length, signature 64, attestation key 64, QE report 384, QE report signature 64, u16 + QE auth data, u16 type, u32 size, certification data.</summary>
    private const int SignatureDataLengthOffset = 432;
    private const int QeReportOffset = 436 + 64 + 64;
    private const int QeReportSignatureOffset = QeReportOffset + 384;

    private static ReadOnlySpan<byte> CertificationData(byte[] quote)
    {
        int auth = QeReportSignatureOffset + 64;
        int authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(auth));
        int type = auth + 2 + authLength;
        Assert.Equal(5, BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(type)));
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(type + 2));
        return quote.AsSpan(type + 6, size);
    }

    private byte[] Rechain(byte[] original)
    {
        int auth = QeReportSignatureOffset + 64;
        int authLength = BinaryPrimitives.ReadUInt16LittleEndian(original.AsSpan(auth));
        int type = auth + 2 + authLength;
        var chain = Encoding.ASCII.GetBytes(Pem(_pck) + Pem(_ca) + Pem(_root));
        var quote = new byte[type + 6 + chain.Length];
        original.AsSpan(0, type + 2).CopyTo(quote);
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(type + 2), (uint)chain.Length);
        chain.CopyTo(quote.AsSpan(type + 6));
        BinaryPrimitives.WriteUInt32LittleEndian(quote.AsSpan(SignatureDataLengthOffset), (uint)(quote.Length - 436));
        _pckKey.SignData(quote.AsSpan(QeReportOffset, 384), quote.AsSpan(QeReportSignatureOffset, 64), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return quote;
    }

    private static string Edit(string json, Action<JsonObject>? edit)
    {
        if (edit is null)
        {
            return json;
        }

        var node = JsonNode.Parse(json)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    private static string Sign(ECDsa key, string body) =>
        Convert.ToHexStringLower(key.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private static byte[] Crl(X509Certificate2 issuer, ECDsa key) =>
        new CertificateRevocationListBuilder().Build(
            issuer.SubjectName,
            X509SignatureGenerator.CreateForECDsa(key),
            BigInteger.One,
            Samples.Sgx1Time.AddDays(20),
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            Samples.Sgx1Time.AddDays(-10));

    private static X509Certificate2 Certificate(ECDsa key, string subject, X509Certificate2? issuer, ECDsa? issuerKey, bool ca, byte serial, X509Extension? extra = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (extra is not null)
        {
            request.CertificateExtensions.Add(extra);
        }

        return issuer is null
            ? request.CreateSelfSigned(NotBefore, NotAfter)
            : request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey!), NotBefore, NotAfter, [serial]);
    }

    private static string Pem(X509Certificate2 certificate) => new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";
}
