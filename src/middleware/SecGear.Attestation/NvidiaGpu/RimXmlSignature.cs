using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// The enveloped XML signature of an NVIDIA RIM, processed for exactly the shape NVIDIA signs: one <c>Reference</c>
/// with <c>URI=""</c>, transforms enveloped-signature then Canonical XML 1.1, SHA-384 digest, ECDSA P-384/SHA-384
/// signature (raw r‖s) and the signer chain in <c>KeyInfo/X509Data</c>.
/// <para>
/// Canonical XML 1.1 differs from inclusive Canonical XML 1.0 only in how <c>xml:id</c>, <c>xml:base</c> (and the
/// other <c>xml:*</c> attributes) are inherited into document subsets. Documents that carry no <c>xml:*</c> attribute,
/// no comment, no processing instruction and no DTD canonicalise to the same bytes under both, so this class refuses
/// any document outside that subset and canonicalises with the platform's Canonical XML 1.0
/// (<see cref="XmlDsigC14NTransform"/>). Every NVIDIA RIM examined lies inside the subset.
/// </para>
/// </summary>
internal sealed class RimXmlSignature
{
    public const string DsNamespace = "http://www.w3.org/2000/09/xmldsig#";
    private const string C14n11 = "http://www.w3.org/2006/12/xml-c14n11";
    private const string C14n10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    private const string EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
    private const string EcdsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";
    private static readonly string[] Sha384DigestUris = ["http://www.w3.org/2001/04/xmldsig-more#sha384", "http://www.w3.org/2001/04/xmlenc#sha384"];

    private RimXmlSignature(bool digestMatches, byte[] canonicalSignedInfo, byte[] signatureValue, IReadOnlyList<X509Certificate2> certificates)
    {
        DigestMatches = digestMatches;
        CanonicalSignedInfo = canonicalSignedInfo;
        SignatureValue = signatureValue;
        Certificates = certificates;
    }

    /// <summary>True when the SHA-384 of the canonical document without its signature equals the signed DigestValue.</summary>
    public bool DigestMatches { get; }

    /// <summary>The canonical bytes of SignedInfo, the ECDSA signature input.</summary>
    public byte[] CanonicalSignedInfo { get; }

    /// <summary>The raw r‖s signature value.</summary>
    public byte[] SignatureValue { get; }

    /// <summary>The signer chain from KeyInfo, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>True when the signature over the canonical SignedInfo verifies with the leaf certificate's P-384 key.</summary>
    public bool SignatureVerifies()
    {
        try
        {
            using var key = Certificates[0].GetECDsaPublicKey();
            return key is { KeySize: 384 }
                && SignatureValue.Length == 96
                && key.VerifyData(CanonicalSignedInfo, SignatureValue, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the signature of <paramref name="document"/> (loaded with whitespace preserved) and recomputes its digest
    /// and canonical SignedInfo. Throws <see cref="FormatException"/> naming the element that is not as NVIDIA signs it.
    /// </summary>
    public static RimXmlSignature Read(XmlDocument document)
    {
        CheckCanonicalisationScope(document);
        var root = document.DocumentElement ?? throw new FormatException("the RIM has no root element");
        var signatures = root.GetElementsByTagName("Signature", DsNamespace);
        if (signatures.Count != 1 || signatures[0]!.ParentNode != root)
        {
            throw new FormatException($"the RIM must hold exactly one ds:Signature as a child of its root; found {signatures.Count}");
        }

        var signature = (XmlElement)signatures[0]!;
        var signedInfo = Child(signature, "SignedInfo");
        Expect(Child(signedInfo, "CanonicalizationMethod"), "Algorithm", C14n11, C14n10);
        Expect(Child(signedInfo, "SignatureMethod"), "Algorithm", EcdsaSha384);
        var references = ElementChildren(signedInfo).Where(e => e.LocalName == "Reference").ToList();
        if (references.Count != 1 || references[0].GetAttribute("URI") != string.Empty || !references[0].HasAttribute("URI"))
        {
            throw new FormatException("SignedInfo must hold exactly one Reference with URI=\"\" (the whole document)");
        }

        var reference = references[0];
        var transforms = ElementChildren(Child(reference, "Transforms")).ToList();
        if (transforms.Count != 2 || transforms[0].GetAttribute("Algorithm") != EnvelopedSignature || transforms[1].GetAttribute("Algorithm") is not (C14n11 or C14n10))
        {
            throw new FormatException("the Reference transforms must be enveloped-signature then Canonical XML 1.1");
        }

        Expect(Child(reference, "DigestMethod"), "Algorithm", Sha384DigestUris);
        var digestValue = Base64(Child(reference, "DigestValue"), "DigestValue");
        var signatureValue = Base64(Child(signature, "SignatureValue"), "SignatureValue");
        var certificates = ReadCertificates(signature);

        var signedDocument = (XmlDocument)document.Clone();
        var copy = signedDocument.DocumentElement!.GetElementsByTagName("Signature", DsNamespace)[0]!;
        copy.ParentNode!.RemoveChild(copy);
        bool digestMatches = SHA384.HashData(Canonicalise(signedDocument)).AsSpan().SequenceEqual(digestValue);
        return new RimXmlSignature(digestMatches, Canonicalise(SignedInfoDocument(signedInfo)), signatureValue, certificates);
    }

    /// <summary>Refuses what Canonical XML 1.1 and 1.0 would canonicalise differently, and what NVIDIA RIMs never hold.</summary>
    private static void CheckCanonicalisationScope(XmlDocument document)
    {
        foreach (XmlNode node in document.SelectNodes("//node()")!)
        {
            switch (node.NodeType)
            {
                case XmlNodeType.Comment:
                case XmlNodeType.ProcessingInstruction:
                case XmlNodeType.DocumentType:
                case XmlNodeType.EntityReference:
                case XmlNodeType.CDATA:
                    throw new FormatException($"the RIM holds a {node.NodeType} node; this canonicaliser covers only documents without them");
            }

            if (node.Attributes is { } attributes && attributes.Cast<XmlAttribute>().Any(a => a.NamespaceURI == XmlNamespace))
            {
                throw new FormatException($"element '{node.Name}' carries an xml:* attribute, where Canonical XML 1.1 and 1.0 differ; not supported");
            }
        }
    }

    /// <summary>
    /// SignedInfo as its own document, with every namespace declaration in scope from its ancestors copied onto it: the
    /// canonical form of a document subset renders all in-scope namespace nodes on its apex element.
    /// </summary>
    private static XmlDocument SignedInfoDocument(XmlElement signedInfo)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        var copy = (XmlElement)document.ImportNode(signedInfo, deep: true);
        document.AppendChild(copy);
        for (var ancestor = signedInfo.ParentNode as XmlElement; ancestor is not null; ancestor = ancestor.ParentNode as XmlElement)
        {
            foreach (XmlAttribute attribute in ancestor.Attributes)
            {
                if (attribute.NamespaceURI == XmlnsNamespace && !copy.HasAttribute(attribute.Name))
                {
                    var declaration = document.CreateAttribute(attribute.Name, XmlnsNamespace);
                    declaration.Value = attribute.Value;
                    copy.Attributes.Append(declaration);
                }
            }
        }

        return document;
    }

    /// <summary>Inclusive Canonical XML 1.0 without comments of a whole document (equal to 1.1 inside the checked subset).</summary>
    internal static byte[] Canonicalise(XmlDocument document)
    {
        var transform = new XmlDsigC14NTransform(includeComments: false);
        transform.LoadInput(document);
        using var output = (Stream)transform.GetOutput(typeof(Stream));
        using var buffer = new MemoryStream();
        output.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static List<X509Certificate2> ReadCertificates(XmlElement signature)
    {
        var data = Child(Child(signature, "KeyInfo"), "X509Data");
        var certificates = new List<X509Certificate2>();
        foreach (var element in ElementChildren(data).Where(e => e.LocalName == "X509Certificate"))
        {
            if (certificates.Count == 8)
            {
                throw new FormatException("KeyInfo holds more than 8 certificates");
            }

            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(Base64(element, "X509Certificate")));
            }
            catch (CryptographicException ex)
            {
                throw new FormatException($"KeyInfo certificate {certificates.Count} is not an X.509 certificate: {ex.Message}", ex);
            }
        }

        return certificates.Count > 0 ? certificates : throw new FormatException("KeyInfo/X509Data holds no certificate");
    }

    private static IEnumerable<XmlElement> ElementChildren(XmlElement parent) =>
        parent.ChildNodes.OfType<XmlElement>().Where(e => e.NamespaceURI == DsNamespace);

    private static XmlElement Child(XmlElement parent, string name)
    {
        var matches = ElementChildren(parent).Where(e => e.LocalName == name).ToList();
        return matches.Count == 1 ? matches[0] : throw new FormatException($"ds:{parent.LocalName} must hold exactly one ds:{name}; found {matches.Count}");
    }

    private static void Expect(XmlElement element, string attribute, params string[] accepted)
    {
        string value = element.GetAttribute(attribute);
        if (!accepted.Contains(value, StringComparer.Ordinal))
        {
            throw new FormatException($"ds:{element.LocalName} {attribute} is '{value}', expected {string.Join(" or ", accepted)}");
        }
    }

    private static byte[] Base64(XmlElement element, string name)
    {
        var text = string.Concat(element.InnerText.Where(c => !char.IsWhiteSpace(c)));
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new FormatException($"ds:{name} is not base64");
        }
    }
}
