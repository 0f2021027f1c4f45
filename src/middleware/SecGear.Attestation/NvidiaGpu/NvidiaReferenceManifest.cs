using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Xml;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// An NVIDIA reference integrity manifest (RIM): an ISO/IEC 19770-2 SWID tag listing golden SHA-384 measurements,
/// with an enveloped XML signature by an NVIDIA RIM signer. Loading parses it and recomputes the digest and the
/// canonical SignedInfo once; whether the signature verifies and its signer chain reaches the pinned RIM root at the
/// caller's clock is decided by <see cref="NvidiaGpuVerifier"/>. Immutable and safe to share.
/// </summary>
public sealed partial class NvidiaReferenceManifest
{
    /// <summary>Largest RIM accepted, in bytes (NVIDIA's are about 20 KB).</summary>
    public const int MaxSize = 1 << 20;

    private const string SwidNamespace = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
    private const string Sha384HashNamespace = "http://www.w3.org/2001/04/xmlenc#sha384";
    private const int MaxMeasurements = 256;
    private const int MaxAlternatives = 16;

    private readonly RimXmlSignature _signature;
    private int _signatureState; // 0 = not yet checked, 1 = verifies, 2 = does not (int: written atomically)

    private NvidiaReferenceManifest(string tagId, string product, string version, NvidiaRimKind kind, IReadOnlyList<RimMeasurement> measurements, RimXmlSignature signature)
    {
        TagId = tagId;
        Product = product;
        Version = version;
        Kind = kind;
        Measurements = measurements;
        _signature = signature;
    }

    /// <summary>The SWID <c>tagId</c>.</summary>
    public string TagId { get; }

    /// <summary>The product the RIM is for (<c>Meta/@product</c>, e.g. <c>GH100</c>).</summary>
    public string Product { get; }

    /// <summary>The driver or VBIOS version the RIM describes (<c>Meta/@colloquialVersion</c>).</summary>
    public string Version { get; }

    /// <summary>Driver or VBIOS, recognised by the shape of <see cref="Version"/> (five dot-separated hex pairs = VBIOS).</summary>
    public NvidiaRimKind Kind { get; }

    /// <summary>The golden measurements by RIM index (0-based).</summary>
    public IReadOnlyList<RimMeasurement> Measurements { get; }

    /// <summary>The signer chain from the signature's KeyInfo, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> SignerChain => _signature.Certificates;

    /// <summary>True when the SHA-384 of the canonical document (without its signature) equals the signed digest.</summary>
    internal bool DigestMatches => _signature.DigestMatches;

    /// <summary>True when the ECDSA signature over the canonical SignedInfo verifies with the signer's key (computed once).</summary>
    internal bool SignatureVerifies
    {
        get
        {
            int state = Volatile.Read(ref _signatureState);
            if (state == 0)
            {
                state = _signature.SignatureVerifies() ? 1 : 2;
                Volatile.Write(ref _signatureState, state);
            }

            return state == 1;
        }
    }

    /// <summary>
    /// Parses a RIM. Throws <see cref="AttestationException"/> (<see cref="AttestationFailureCode.CollateralMalformed"/>)
    /// when it is not a signed SWID tag of the shape NVIDIA publishes.
    /// </summary>
    public static NvidiaReferenceManifest Load(ReadOnlySpan<byte> xml)
    {
        if (xml.Length > MaxSize)
        {
            throw Malformed($"the RIM is {xml.Length} bytes; the limit is {MaxSize}");
        }

        try
        {
            var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxSize };
            using (var reader = XmlReader.Create(new MemoryStream(xml.ToArray()), settings))
            {
                document.Load(reader);
            }

            var root = document.DocumentElement!;
            if (root.LocalName != "SoftwareIdentity" || root.NamespaceURI != SwidNamespace)
            {
                throw new FormatException($"the root element is {{{root.NamespaceURI}}}{root.LocalName}, expected a SWID SoftwareIdentity");
            }

            var meta = SwidChild(root, "Meta");
            string version = Required(meta, "colloquialVersion");
            var measurements = ReadMeasurements(SwidChild(root, "Payload"));
            var signature = RimXmlSignature.Read(document);
            var kind = VbiosVersionShape().IsMatch(version) ? NvidiaRimKind.Vbios : NvidiaRimKind.Driver;
            return new NvidiaReferenceManifest(root.GetAttribute("tagId"), meta.GetAttribute("product"), version, kind, measurements, signature);
        }
        catch (Exception ex) when (ex is XmlException or FormatException or InvalidOperationException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw Malformed($"the RIM cannot be read: {ex.Message}");
        }
    }

    private static List<RimMeasurement> ReadMeasurements(XmlElement payload)
    {
        var measurements = new List<RimMeasurement>();
        var indices = new HashSet<int>();
        foreach (var resource in payload.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == "Resource" && e.NamespaceURI == SwidNamespace))
        {
            if (resource.GetAttribute("type") != "Measurement")
            {
                continue;
            }

            if (measurements.Count == MaxMeasurements)
            {
                throw new FormatException($"the RIM lists more than {MaxMeasurements} measurements");
            }

            int index = Number(resource, "index", 0, 255);
            int alternatives = Number(resource, "alternatives", 1, MaxAlternatives);
            int size = Number(resource, "size", 1, 64);
            bool active = Required(resource, "active") switch
            {
                "True" or "true" => true,
                "False" or "false" => false,
                var other => throw new FormatException($"measurement {index}: active is '{other}', expected True or False"),
            };
            if (!indices.Add(index))
            {
                throw new FormatException($"measurement index {index} appears twice");
            }

            var values = new List<ReadOnlyMemory<byte>>(alternatives);
            for (int i = 0; i < alternatives; i++)
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"Hash{i}");
                var hex = resource.GetAttributeNode(name, Sha384HashNamespace)?.Value
                    ?? throw new FormatException($"measurement {index} declares {alternatives} alternatives but has no {name}");
                var value = Convert.FromHexString(hex);
                if (value.Length != size)
                {
                    throw new FormatException($"measurement {index} {name} is {value.Length} bytes; its size is {size}");
                }

                values.Add(value);
            }

            measurements.Add(new RimMeasurement(index, active, size, values));
        }

        return measurements.Count > 0 ? measurements : throw new FormatException("the RIM Payload lists no Measurement resource");
    }

    private static XmlElement SwidChild(XmlElement parent, string name)
    {
        var matches = parent.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == name && e.NamespaceURI == SwidNamespace).ToList();
        return matches.Count == 1 ? matches[0] : throw new FormatException($"SoftwareIdentity must hold exactly one {name}; found {matches.Count}");
    }

    private static string Required(XmlElement element, string attribute) =>
        element.GetAttributeNode(attribute)?.Value ?? throw new FormatException($"{element.LocalName} has no '{attribute}' attribute");

    private static int Number(XmlElement element, string attribute, int min, int max)
    {
        string text = Required(element, attribute);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{element.LocalName} {attribute} is '{text}', expected an integer {min}..{max}");
    }

    private static AttestationException Malformed(string message) => new(AttestationFailureCode.CollateralMalformed, message);

    [GeneratedRegex("^[0-9A-Fa-f]{2}(\\.[0-9A-Fa-f]{2}){4}$", RegexOptions.CultureInvariant)]
    private static partial Regex VbiosVersionShape();
}
