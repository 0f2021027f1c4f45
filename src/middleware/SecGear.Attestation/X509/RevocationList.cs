using System.Formats.Asn1;
using System.Security.Cryptography;

namespace SecGear.Attestation.X509;

/// <summary>A parsed X.509 v2 CRL (RFC 5280 §5): issuer, validity window and revoked serial numbers.</summary>
internal sealed class RevocationList
{
    private readonly HashSet<string> _revokedSerials;

    private RevocationList(SignedData signed, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<string> revoked)
    {
        Signed = signed;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revokedSerials = revoked;
    }

    /// <summary>The signed envelope.</summary>
    public SignedData Signed { get; }

    /// <summary>The DER-encoded issuer Name.</summary>
    public byte[] Issuer { get; }

    /// <summary>thisUpdate.</summary>
    public DateTimeOffset ThisUpdate { get; }

    /// <summary>nextUpdate (Intel CRLs always have one).</summary>
    public DateTimeOffset? NextUpdate { get; }

    /// <summary>Number of revoked certificates listed.</summary>
    public int Count => _revokedSerials.Count;

    /// <summary>Parses a DER CRL. Throws <see cref="CryptographicException"/> when malformed.</summary>
    public static RevocationList Parse(ReadOnlyMemory<byte> der)
    {
        try
        {
            var signed = SignedData.Parse(der);
            var tbs = new AsnReader(signed.ToBeSigned, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(NormalizeSerial(entry.ReadIntegerBytes().Span));
                }
            }

            return new RevocationList(signed, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException($"CRL is not valid DER: {FailureText.Of(ex)}", ex);
        }
    }

    /// <summary>True when the serial number (big-endian bytes as in the certificate) is listed.</summary>
    public bool IsRevoked(ReadOnlySpan<byte> serialNumber) => _revokedSerials.Contains(NormalizeSerial(serialNumber));

    /// <summary>True when <paramref name="time"/> is within thisUpdate..nextUpdate.</summary>
    public bool IsCurrent(DateTimeOffset time) => time >= ThisUpdate && (NextUpdate is null || time <= NextUpdate);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static string NormalizeSerial(ReadOnlySpan<byte> serial)
    {
        int start = 0;
        while (start < serial.Length - 1 && serial[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(serial[start..]);
    }
}
