using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>
/// Writes RIMs shaped like NVIDIA's (SWID tag, enveloped signature, Canonical XML 1.1 URIs, ecdsa-sha384, signer chain
/// in KeyInfo) under a test RIM root, so the matching path can be tested: no public RIM matches a public report.
/// </summary>
internal sealed class SyntheticRim : IDisposable
{
    private const string Swid = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
    private const string Ds = "http://www.w3.org/2000/09/xmldsig#";
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ECDsa _signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public SyntheticRim()
    {
        var rootRequest = new CertificateRequest("CN=Synthetic RIM Root CA, O=SecGear Tests", _rootKey, HashAlgorithmName.SHA384);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        Root = rootRequest.CreateSelfSigned(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2034, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var signerRequest = new CertificateRequest("CN=Synthetic RIM L4 Signer, O=SecGear Tests", _signerKey, HashAlgorithmName.SHA384);
        Signer = signerRequest.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(_rootKey), Root.NotBefore, Root.NotAfter, [9]);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Signer { get; }

    /// <summary>A signed RIM for <paramref name="version"/> whose active entries are <paramref name="golden"/> (0-based index → alternatives).</summary>
    public byte[] Write(string version, IReadOnlyDictionary<int, byte[][]> golden, int entries = 8)
    {
        var xml = new StringBuilder();
        xml.Append(CultureInfo.InvariantCulture, $"""<SoftwareIdentity xmlns="{Swid}" xmlns:ns0="{Swid}" xmlns:ns2="http://www.w3.org/2001/04/xmlenc#sha384" name="GH100" tagId="synthetic-{version}" version="1.0">""");
        xml.Append('\n').Append(CultureInfo.InvariantCulture, $"""    <ns0:Meta colloquialVersion="{version}" product="GH100" edition="GPU"/>""").Append("\n    <ns0:Payload>\n");
        for (int i = 0; i < entries; i++)
        {
            var values = golden.TryGetValue(i, out var v) ? v : [new byte[48]];
            var hashes = string.Concat(values.Select((h, n) => string.Create(CultureInfo.InvariantCulture, $" ns2:Hash{n}=\"{Convert.ToHexStringLower(h)}\"")));
            xml.Append(CultureInfo.InvariantCulture, $"""        <ns0:Resource type="Measurement" index="{i}" active="{(golden.ContainsKey(i) ? "True" : "False")}" alternatives="{values.Length}"{hashes} size="48"/>""").Append('\n');
        }

        xml.Append("    </ns0:Payload>\n</SoftwareIdentity>");
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(xml.ToString());

        var digest = SHA384.HashData(RimXmlSignature.Canonicalise(document));
        var signature = document.CreateElement("ds", "Signature", Ds);
        var signedInfo = Element(document, signature, "SignedInfo");
        Element(document, signedInfo, "CanonicalizationMethod").SetAttribute("Algorithm", "http://www.w3.org/2006/12/xml-c14n11");
        Element(document, signedInfo, "SignatureMethod").SetAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384");
        var reference = Element(document, signedInfo, "Reference");
        reference.SetAttribute("URI", string.Empty);
        var transforms = Element(document, reference, "Transforms");
        Element(document, transforms, "Transform").SetAttribute("Algorithm", "http://www.w3.org/2000/09/xmldsig#enveloped-signature");
        Element(document, transforms, "Transform").SetAttribute("Algorithm", "http://www.w3.org/2006/12/xml-c14n11");
        Element(document, reference, "DigestMethod").SetAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#sha384");
        Element(document, reference, "DigestValue").InnerText = Convert.ToBase64String(digest);
        var value = Element(document, signature, "SignatureValue");
        var data = Element(document, Element(document, signature, "KeyInfo"), "X509Data");
        Element(document, data, "X509Certificate").InnerText = Convert.ToBase64String(Signer.RawData);
        Element(document, data, "X509Certificate").InnerText = Convert.ToBase64String(Root.RawData);
        document.DocumentElement!.AppendChild(signature);

        // SignedInfo canonicalised as a document subset: it renders every namespace in scope on its apex element.
        var signedInfoDocument = new XmlDocument { PreserveWhitespace = true };
        signedInfoDocument.LoadXml(signedInfo.OuterXml);
        foreach (var (prefix, uri) in new[] { ("xmlns", Swid), ("xmlns:ns0", Swid), ("xmlns:ns2", "http://www.w3.org/2001/04/xmlenc#sha384") })
        {
            var attribute = signedInfoDocument.CreateAttribute(prefix, "http://www.w3.org/2000/xmlns/");
            attribute.Value = uri;
            signedInfoDocument.DocumentElement!.Attributes.Append(attribute);
        }

        value.InnerText = Convert.ToBase64String(_signerKey.SignData(RimXmlSignature.Canonicalise(signedInfoDocument), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        return Encoding.UTF8.GetBytes(document.OuterXml);
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _signerKey.Dispose();
        Root.Dispose();
        Signer.Dispose();
    }

    private static XmlElement Element(XmlDocument document, XmlElement parent, string name) =>
        (XmlElement)parent.AppendChild(document.CreateElement("ds", name, Ds))!;
}
