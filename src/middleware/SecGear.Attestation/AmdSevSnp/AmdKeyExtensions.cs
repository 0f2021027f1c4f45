using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// The AMD extensions of a VCEK or VLEK certificate (OIDs under 1.3.6.1.4.1.3704.1): product name, the security
/// patch levels of the TCB the key was derived for, the hardware id (VCEK) and the CSP id (VLEK).
/// </summary>
internal sealed class AmdKeyExtensions
{
    private const string Prefix = "1.3.6.1.4.1.3704.1.";

    private AmdKeyExtensions(string productName, int? blSpl, int? teeSpl, int? snpSpl, int? ucodeSpl, int? fmcSpl, byte[]? hardwareId, string? cspId)
    {
        ProductName = productName;
        BootLoaderSpl = blSpl;
        TeeSpl = teeSpl;
        SnpSpl = snpSpl;
        MicrocodeSpl = ucodeSpl;
        FmcSpl = fmcSpl;
        HardwareId = hardwareId;
        CspId = cspId;
    }

    /// <summary>productName, e.g. <c>Milan-B0</c>, <c>Genoa</c>, <c>Turin</c>.</summary>
    public string ProductName { get; }

    /// <summary>The product line named by <see cref="ProductName"/> (the part before '-').</summary>
    public SnpProduct Product => ProductName.Split('-')[0] switch
    {
        "Milan" => SnpProduct.Milan,
        "Genoa" => SnpProduct.Genoa,
        "Turin" => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };

    /// <summary>blSPL.</summary>
    public int? BootLoaderSpl { get; }

    /// <summary>teeSPL.</summary>
    public int? TeeSpl { get; }

    /// <summary>snpSPL.</summary>
    public int? SnpSpl { get; }

    /// <summary>ucodeSPL.</summary>
    public int? MicrocodeSpl { get; }

    /// <summary>fmcSPL (Turin).</summary>
    public int? FmcSpl { get; }

    /// <summary>hwID: 64-byte CHIP_ID (Milan, Genoa) or 8-byte id (Turin); null in a VLEK.</summary>
    public byte[]? HardwareId { get; }

    /// <summary>cspID (VLEK only), e.g. <c>CN=cc-us-east-2.amazonaws.com</c>.</summary>
    public string? CspId { get; }

    /// <summary>Reads the extensions. Throws <see cref="CryptographicException"/> when one is malformed or productName is missing.</summary>
    public static AmdKeyExtensions Read(X509Certificate2 certificate)
    {
        string? product = null;
        string? csp = null;
        byte[]? hardwareId = null;
        var spl = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var extension in certificate.Extensions)
            {
                var oid = extension.Oid?.Value;
                if (oid is null || !oid.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var value = extension.RawData;
                switch (oid[Prefix.Length..])
                {
                    case "2":
                        product = AsnDecoder.ReadCharacterString(value, AsnEncodingRules.DER, UniversalTagNumber.IA5String, out _);
                        break;
                    case "4":
                        hardwareId = value;
                        break;
                    case "5":
                        csp = AsnDecoder.ReadCharacterString(value, AsnEncodingRules.DER, UniversalTagNumber.IA5String, out _);
                        break;
                    case var sub when sub.StartsWith("3.", StringComparison.Ordinal):
                        if (!AsnDecoder.TryReadInt32(value, AsnEncodingRules.DER, out int level, out _) || level is < 0 or > 255)
                        {
                            throw new CryptographicException($"AMD extension {oid} is not an INTEGER in 0..255");
                        }

                        spl[sub] = level;
                        break;
                    default:
                        break;
                }
            }
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException($"an AMD certificate extension is not valid DER: {FailureText.Of(ex)}", ex);
        }

        if (product is null)
        {
            throw new CryptographicException("the certificate has no AMD productName extension (1.3.6.1.4.1.3704.1.2)");
        }

        int? Get(string key) => spl.TryGetValue(key, out int v) ? v : null;
        return new AmdKeyExtensions(product, Get("3.1"), Get("3.2"), Get("3.3"), Get("3.8"), Get("3.9"), hardwareId, csp);
    }
}
