namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// ASN.1 DER structure mutations: walks the TLVs of a DER value (certificates, keys) and retypes a tag, gives a TLV a
/// wrong length, removes a TLV (leaving its parents' lengths wrong) or cuts its contents.
/// </summary>
internal static class DerMutations
{
    private readonly record struct Tlv(int Offset, int HeaderLength, int ContentLength);

    public static byte[] Mutate(Random random, byte[] der)
    {
        var nodes = new List<Tlv>();
        Walk(der, 0, der.Length, nodes, 0);
        if (nodes.Count == 0)
        {
            return ByteMutations.Any(random, der);
        }

        var node = nodes[random.Next(nodes.Count)];
        int contentStart = node.Offset + node.HeaderLength;
        switch (random.Next(5))
        {
            case 0:
            {
                // Retype: another universal tag, keeping the constructed bit as it was.
                var copy = (byte[])der.Clone();
                byte[] tags = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x30, 0x31, 0xa0, 0xa3, 0x80];
                copy[node.Offset] = tags[random.Next(tags.Length)];
                return copy;
            }

            case 1:
            {
                // Wrong length: re-encode the header with a length off by one, zero, or far too large.
                int length = random.Next(4) switch
                {
                    0 => node.ContentLength + 1,
                    1 => Math.Max(0, node.ContentLength - 1),
                    2 => 0,
                    _ => 0x7fffffff,
                };
                return [.. der.AsSpan(0, node.Offset + 1), .. EncodeLength(length), .. der.AsSpan(contentStart)];
            }

            case 2:
                // Remove the TLV; every enclosing length now overstates its contents.
                return [.. der.AsSpan(0, node.Offset), .. der.AsSpan(contentStart + node.ContentLength)];

            case 3:
            {
                // Cut the contents but keep the declared length.
                int keep = node.ContentLength == 0 ? 0 : random.Next(node.ContentLength);
                return [.. der.AsSpan(0, contentStart + keep), .. der.AsSpan(contentStart + node.ContentLength)];
            }

            default:
            {
                // Flip a bit inside the contents (integers, OIDs, signature bits).
                if (node.ContentLength == 0)
                {
                    return ByteMutations.FlipBits(random, der);
                }

                var copy = (byte[])der.Clone();
                copy[contentStart + random.Next(node.ContentLength)] ^= (byte)(1 << random.Next(8));
                return copy;
            }
        }
    }

    private static void Walk(byte[] der, int start, int end, List<Tlv> nodes, int depth)
    {
        int offset = start;
        while (offset < end && depth < 16 && nodes.Count < 4096)
        {
            if (offset + 2 > end || (der[offset] & 0x1f) == 0x1f)
            {
                return;
            }

            int lengthByte = der[offset + 1];
            int header = 2, length;
            if (lengthByte < 0x80)
            {
                length = lengthByte;
            }
            else
            {
                int count = lengthByte & 0x7f;
                if (count is 0 or > 3 || offset + 2 + count > end)
                {
                    return;
                }

                length = 0;
                for (int i = 0; i < count; i++)
                {
                    length = (length << 8) | der[offset + 2 + i];
                }

                header += count;
            }

            if (offset + header + length > end)
            {
                return;
            }

            nodes.Add(new Tlv(offset, header, length));
            bool constructed = (der[offset] & 0x20) != 0;
            bool bitStringOrOctets = der[offset] is 0x03 or 0x04;
            if (constructed)
            {
                Walk(der, offset + header, offset + header + length, nodes, depth + 1);
            }
            else if (bitStringOrOctets && length > 2)
            {
                // Keys and extensions nest DER inside BIT STRING / OCTET STRING.
                int skip = der[offset] == 0x03 ? 1 : 0;
                Walk(der, offset + header + skip, offset + header + length, nodes, depth + 1);
            }

            offset += header + length;
        }
    }

    private static byte[] EncodeLength(int length)
    {
        if (length < 0x80)
        {
            return [(byte)length];
        }

        if (length < 0x100)
        {
            return [0x81, (byte)length];
        }

        if (length < 0x10000)
        {
            return [0x82, (byte)(length >> 8), (byte)length];
        }

        return [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    }
}
