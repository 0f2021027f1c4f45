using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Intel DCAP collateral: TCB info and QE identity (with their exact signed bytes and signatures), their issuer
/// chains, the root CA CRL and the PCK CRL. Parsed once; immutable and safe to share between verifications. Nothing
/// in it is trusted until <see cref="IntelDcapVerifier"/> has checked it against the pinned root.
/// </summary>
public sealed partial class IntelCollateral : Collateral
{
    /// <summary>Largest collateral file accepted (real ones are 13-23 KB).</summary>
    public const int MaxSize = 1 << 20;

    private IntelCollateral(
        SignedJson tcbInfo,
        List<X509Certificate2> tcbInfoIssuerChain,
        SignedJson qeIdentity,
        List<X509Certificate2> qeIdentityIssuerChain,
        RevocationList rootCaCrl,
        RevocationList pckCrl,
        List<X509Certificate2>? pckCrlIssuerChain,
        List<X509Certificate2>? pckCertificateChain = null)
    {
        PckCertificateChain = pckCertificateChain;
        TcbInfoSigned = tcbInfo;
        TcbInfoIssuerChain = tcbInfoIssuerChain;
        QeIdentitySigned = qeIdentity;
        QeIdentityIssuerChain = qeIdentityIssuerChain;
        RootCaCrl = rootCaCrl;
        PckCrl = pckCrl;
        PckCrlIssuerChain = pckCrlIssuerChain ?? [];
        TcbInfo = TcbInfo.Parse(tcbInfo.Body);
        QeIdentity = QeIdentity.Parse(qeIdentity.Body);

        var starts = new List<DateTimeOffset> { TcbInfo.IssueDate, QeIdentity.IssueDate, rootCaCrl.ThisUpdate, pckCrl.ThisUpdate };
        var ends = new List<DateTimeOffset> { TcbInfo.NextUpdate, QeIdentity.NextUpdate };
        ends.AddRange(new[] { rootCaCrl.NextUpdate, pckCrl.NextUpdate }.OfType<DateTimeOffset>());
        foreach (var certificate in tcbInfoIssuerChain.Concat(qeIdentityIssuerChain))
        {
            starts.Add(new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero));
            ends.Add(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        }

        ValidFrom = starts.Max();
        ValidUntil = ends.Min();
    }

    /// <inheritdoc />
    public override string Format => EvidenceFormats.IntelDcapQuote;

    /// <inheritdoc />
    public override DateTimeOffset ValidFrom { get; }

    /// <inheritdoc />
    public override DateTimeOffset ValidUntil { get; }

    /// <summary>The parsed TCB info.</summary>
    public TcbInfo TcbInfo { get; }

    /// <summary>The parsed QE identity.</summary>
    public QeIdentity QeIdentity { get; }

    internal SignedJson TcbInfoSigned { get; }

    internal List<X509Certificate2> TcbInfoIssuerChain { get; }

    internal SignedJson QeIdentitySigned { get; }

    internal List<X509Certificate2> QeIdentityIssuerChain { get; }

    internal RevocationList RootCaCrl { get; }

    internal RevocationList PckCrl { get; }

    internal List<X509Certificate2> PckCrlIssuerChain { get; }

    /// <summary>The PCK chain for quotes that do not carry one (certification data types 1-4), if supplied.</summary>
    internal List<X509Certificate2>? PckCertificateChain { get; }

    /// <summary>
    /// A copy of this collateral that also supplies the platform's PCK certificate chain (PEM: PCK certificate,
    /// intermediate CA, root), for quotes whose certification data is a PPID or a bare PCK reference (types 1-4)
    /// instead of the chain. The chain is checked exactly like one found in a quote. Throws
    /// <see cref="AttestationException"/> (<see cref="AttestationFailureCode.CollateralMalformed"/>) when it cannot be read.
    /// </summary>
    public IntelCollateral WithPckCertificateChain(ReadOnlySpan<byte> pem)
    {
        var copy = pem.ToArray();
        return Wrap(() => new IntelCollateral(TcbInfoSigned, TcbInfoIssuerChain, QeIdentitySigned, QeIdentityIssuerChain, RootCaCrl, PckCrl, PckCrlIssuerChain, Chain(copy, "PCK certificate chain")));
    }

    /// <summary>
    /// Loads collateral from any of the supported file forms, recognised by content: the dcap-qvl
    /// <c>QuoteCollateralV3</c> JSON, Intel's <c>sgx_ql_qve_collateral_t</c> dump, or Open Enclave's
    /// <c>oe_endorsements_t</c> (leading '#' comment lines are skipped). Throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailureCode.CollateralMalformed"/>) when the data is none of these or is malformed.
    /// </summary>
    public static IntelCollateral Load(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxSize)
        {
            throw Malformed($"collateral is {data.Length} bytes; the limit is {MaxSize}");
        }

        var body = EvidenceUnwrapper.SkipCommentLines(data);
        int firstNonSpace = body.IndexOfAnyExcept(" \t\r\n"u8);
        if (firstNonSpace >= 0 && body[firstNonSpace] == (byte)'{')
        {
            return FromDcapQvlJson(body);
        }

        if (body.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(body) is 3 or 4 && BinaryPrimitives.ReadUInt32LittleEndian(body[4..]) is 0 or DcapQuoteParser.TeeTypeTdx)
        {
            return FromQveCollateral(body);
        }

        if (body.Length >= 16 && BinaryPrimitives.ReadUInt32LittleEndian(body) == 1 && BinaryPrimitives.ReadUInt32LittleEndian(body[4..]) == 2)
        {
            return FromOpenEnclaveEndorsements(body);
        }

        throw Malformed("collateral is not dcap-qvl JSON, an sgx_ql_qve_collateral_t dump or Open Enclave endorsements");
    }

    /// <summary>Loads the dcap-qvl <c>QuoteCollateralV3</c> JSON form.</summary>
    public static IntelCollateral FromDcapQvlJson(ReadOnlySpan<byte> json)
    {
        var copy = json.ToArray();
        return Wrap(() => FromDcapQvlJsonCore(copy));
    }

    private static IntelCollateral FromDcapQvlJsonCore(byte[] json)
    {
        // Duplicate keys are refused: two readers of the same JSON must never see different values.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        var root = document.RootElement;
        return new IntelCollateral(
            new SignedJson(Encoding.UTF8.GetBytes(JsonFields.String(root, "tcb_info")), SignedJson.ParseSignature(JsonFields.String(root, "tcb_info_signature"))),
            Chain(JsonFields.String(root, "tcb_info_issuer_chain"), "tcb_info_issuer_chain"),
            new SignedJson(Encoding.UTF8.GetBytes(JsonFields.String(root, "qe_identity")), SignedJson.ParseSignature(JsonFields.String(root, "qe_identity_signature"))),
            Chain(JsonFields.String(root, "qe_identity_issuer_chain"), "qe_identity_issuer_chain"),
            Crl(Encoding.ASCII.GetBytes(JsonFields.String(root, "root_ca_crl")), "root_ca_crl"),
            Crl(Encoding.ASCII.GetBytes(JsonFields.String(root, "pck_crl")), "pck_crl"),
            Chain(JsonFields.String(root, "pck_crl_issuer_chain"), "pck_crl_issuer_chain"));
    }

    /// <summary>Loads a dump of Intel's <c>sgx_ql_qve_collateral_t</c> (120-byte header, then seven NUL-terminated blobs).</summary>
    public static IntelCollateral FromQveCollateral(ReadOnlySpan<byte> data)
    {
        const int header = 120;
        if (data.Length < header)
        {
            throw Malformed($"sgx_ql_qve_collateral_t is {data.Length} bytes, shorter than its {header}-byte header");
        }

        var blobs = new byte[7][];
        int offset = header;
        for (int i = 0; i < 7; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(data[(8 + (16 * i) + 8)..]);
            if (size > data.Length - offset)
            {
                throw Malformed($"sgx_ql_qve_collateral_t blob {i} is {size} bytes, but only {data.Length - offset} remain");
            }

            blobs[i] = data.Slice(offset, (int)size).ToArray();
            offset += (int)size;
        }

        return FromPcsResponses(blobs[4], blobs[3], blobs[6], blobs[5], blobs[2], blobs[0], blobs[1]);
    }

    /// <summary>Loads Open Enclave's <c>oe_endorsements_t</c> (version 1, SGX, nine elements).</summary>
    public static IntelCollateral FromOpenEnclaveEndorsements(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16)
        {
            throw Malformed("oe_endorsements_t is shorter than its 16-byte header");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        if (count != 9 || data.Length < 16 + (4 * 9))
        {
            throw Malformed($"oe_endorsements_t has {count} elements, expected 9");
        }

        var area = data[(16 + (4 * 9))..];
        var offsets = new int[10];
        for (int i = 0; i < 9; i++)
        {
            offsets[i] = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(data[(16 + (4 * i))..]), int.MaxValue);
        }

        offsets[9] = area.Length;
        var elements = new byte[9][];
        for (int i = 0; i < 9; i++)
        {
            if (offsets[i] > offsets[i + 1] || offsets[i + 1] > area.Length)
            {
                throw Malformed($"oe_endorsements_t element {i} offsets are out of order or out of range");
            }

            elements[i] = area[offsets[i]..offsets[i + 1]].ToArray();
        }

        return FromPcsResponses(elements[1], elements[2], elements[6], elements[7], elements[3], elements[5], elements[4]);
    }

    /// <summary>
    /// Builds collateral from Intel PCS/PCCS responses: the TCB info and QE identity response bodies, the issuer chains
    /// from their response headers (URL-decoded PEM), the PCK CRL and the root CA CRL (DER or hex text). The PCK CRL
    /// issuer chain may be empty: the verifier then checks the PCK CRL with the CA certificate of the quote's own PCK
    /// chain; when given, the chain itself is validated to a pinned root and its CA must be the PCK certificate's issuer.
    /// </summary>
    public static IntelCollateral FromPcsResponses(
        ReadOnlySpan<byte> tcbInfoResponse,
        ReadOnlySpan<byte> tcbInfoIssuerChainPem,
        ReadOnlySpan<byte> qeIdentityResponse,
        ReadOnlySpan<byte> qeIdentityIssuerChainPem,
        ReadOnlySpan<byte> pckCrl,
        ReadOnlySpan<byte> pckCrlIssuerChainPem,
        ReadOnlySpan<byte> rootCaCrl)
    {
        var tcbInfo = tcbInfoResponse.ToArray();
        var tcbChain = tcbInfoIssuerChainPem.ToArray();
        var qe = qeIdentityResponse.ToArray();
        var qeChain = qeIdentityIssuerChainPem.ToArray();
        var pck = pckCrl.ToArray();
        var pckChain = pckCrlIssuerChainPem.ToArray();
        var root = rootCaCrl.ToArray();
        return Wrap(() => new IntelCollateral(
            SignedJson.FromPcsBody(tcbInfo, "tcbInfo"),
            Chain(tcbChain, "TCB info issuer chain"),
            SignedJson.FromPcsBody(qe, "enclaveIdentity"),
            Chain(qeChain, "QE identity issuer chain"),
            Crl(root, "root CA CRL"),
            Crl(pck, "PCK CRL"),
            pckChain.Length == 0 ? null : Chain(pckChain, "PCK CRL issuer chain")));
    }

    private static IntelCollateral Wrap(Func<IntelCollateral> build)
    {
        try
        {
            return build();
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw Malformed(FailureText.Of(ex));
        }
    }

    private static List<X509Certificate2> Chain(string pem, string name) => Chain(Encoding.ASCII.GetBytes(pem), name);

    private static List<X509Certificate2> Chain(byte[] pem, string name)
    {
        try
        {
            return PemCertificates.Read(pem);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"{name}: {FailureText.Of(ex)}", ex);
        }
    }

    /// <summary>Reads a CRL given as DER (optionally NUL-terminated) or as hex text of DER.</summary>
    private static RevocationList Crl(byte[] data, string name)
    {
        try
        {
            ReadOnlyMemory<byte> der = data;
            if (data.Length > 0 && data[0] != 0x30)
            {
                der = Hex.Parse(Encoding.ASCII.GetString(data), name);
            }

            AsnDecoder.ReadEncodedValue(der.Span, AsnEncodingRules.DER, out _, out _, out int consumed);
            if (der.Span[consumed..].IndexOfAnyExcept((byte)0) >= 0)
            {
                throw new FormatException($"{name} has trailing data");
            }

            return RevocationList.Parse(der[..consumed]);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            throw new FormatException($"{name}: {FailureText.Of(ex)}", ex);
        }
    }

    private static AttestationException Malformed(string message) => new(AttestationFailureCode.CollateralMalformed, message);
}
