using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// DCAP quote structure mutations. Locates the quote's length and type fields (header, v5 body descriptor, signature
/// data length, certification data types and sizes, QE authentication data length) and sets one to a boundary value;
/// or takes a certificate out of the PEM PCK chain, mutates its DER, and writes the quote back with every enclosing
/// length corrected, so the parser goes on to the certificate checks.
/// </summary>
internal sealed class DcapQuoteMutations
{
    private readonly byte[] _quote;
    private readonly List<(int Offset, int Width)> _fields = [];
    private readonly int _declaredEnd;
    private readonly int _pemOffset, _pemLength, _sigDataLengthOffset, _outerCertSizeOffset = -1;

    public DcapQuoteMutations(byte[] quote)
    {
        _quote = quote;
        int version = BinaryPrimitives.ReadUInt16LittleEndian(quote);
        uint tee = BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(4));
        _fields.Add((0, 2));
        _fields.Add((2, 2));
        _fields.Add((4, 4));
        int p = 48;
        if (version == 5)
        {
            _fields.Add((48, 2));
            _fields.Add((50, 4));
            p = 54 + (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(50));
        }
        else
        {
            p += tee == 0x81 ? 584 : 384;
        }

        _sigDataLengthOffset = p;
        _fields.Add((p, 4));
        _declaredEnd = p + 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(p));
        p += 4 + 128;
        if (version != 3)
        {
            _fields.Add((p, 2));
            _outerCertSizeOffset = p + 2;
            _fields.Add((p + 2, 4));
            p += 6;
        }

        p += 384 + 64;
        _fields.Add((p, 2));
        p += 2 + BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(p));
        _fields.Add((p, 2));
        _fields.Add((p + 2, 4));
        _pemLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(p + 2));
        _pemOffset = p + 6;
    }

    /// <summary>The quote without bytes after its declared end (some samples carry padding the parser tolerates).</summary>
    public byte[] Quote => _quote[.._declaredEnd];

    public byte[] Mutate(Random random, byte[] input)
    {
        int choice = random.Next(10);
        if (choice < 3)
        {
            var (offset, width) = _fields[random.Next(_fields.Count)];
            return ByteMutations.SetLittleEndianField(random, input, offset, width);
        }

        return choice < 6 ? MutateChain(random) : ByteMutations.Any(random, input);
    }

    private byte[] MutateChain(Random random)
    {
        string pem = Encoding.ASCII.GetString(_quote, _pemOffset, _pemLength);
        var certificates = new List<byte[]>();
        foreach (var block in pem.Split("-----END CERTIFICATE-----", StringSplitOptions.RemoveEmptyEntries))
        {
            int begin = block.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
            if (begin >= 0)
            {
                certificates.Add(Convert.FromBase64String(block[(begin + 27)..].Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal)));
            }
        }

        int which = random.Next(certificates.Count + 1);
        if (which == certificates.Count)
        {
            // Drop or repeat a whole certificate.
            int at = random.Next(certificates.Count);
            if (random.Next(2) == 0)
            {
                certificates.RemoveAt(at);
            }
            else
            {
                certificates.Insert(at, certificates[at]);
            }
        }
        else
        {
            certificates[which] = DerMutations.Mutate(random, certificates[which]);
        }

        var text = new StringBuilder();
        foreach (var der in certificates)
        {
            text.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
        }

        var newPem = Encoding.ASCII.GetBytes(text.ToString());
        byte[] output = [.. _quote.AsSpan(0, _pemOffset), .. newPem, .. _quote.AsSpan(_pemOffset + _pemLength, _declaredEnd - _pemOffset - _pemLength)];
        int delta = newPem.Length - _pemLength;
        Adjust(output, _pemOffset - 4, delta);
        Adjust(output, _sigDataLengthOffset, delta);
        if (_outerCertSizeOffset >= 0)
        {
            Adjust(output, _outerCertSizeOffset, delta);
        }

        return output;
    }

    private static void Adjust(byte[] data, int offset, int delta) =>
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), (uint)((int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) + delta));
}
