using System.Formats.Cbor;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>
/// CBOR structure mutations: decodes the value into a tree (descending into byte strings that hold CBOR themselves,
/// such as COSE protected headers and payloads, and into DER certificates), changes one node — removes or duplicates
/// a map entry, retypes a value, resizes a byte or text string, changes an integer, drops or reorders an array
/// element — and encodes the tree again.
/// </summary>
internal static class CborMutations
{
    /// <summary>A mutated copy, or a format-blind mutation when the input is not CBOR.</summary>
    public static byte[] Mutate(Random random, byte[] cbor)
    {
        var root = TryDecode(cbor);
        if (root is null)
        {
            return ByteMutations.Any(random, cbor);
        }

        var nodes = new List<Node>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        MutateNode(random, target);
        return Encode(root);
    }

    private static void MutateNode(Random random, Node node)
    {
        switch (node.Value)
        {
            case MapValue map when map.Entries.Count > 0 && random.Next(3) != 0:
            {
                int i = random.Next(map.Entries.Count);
                if (random.Next(3) == 0)
                {
                    map.Entries.Insert(i, map.Entries[i]);
                }
                else
                {
                    map.Entries.RemoveAt(i);
                }

                return;
            }

            case ArrayValue array when array.Items.Count > 0 && random.Next(3) != 0:
            {
                int i = random.Next(array.Items.Count);
                if (random.Next(2) == 0 || array.Items.Count == 1)
                {
                    array.Items.RemoveAt(i);
                }
                else
                {
                    (array.Items[i], array.Items[0]) = (array.Items[0], array.Items[i]);
                }

                return;
            }

            case BytesValue bytes when random.Next(2) == 0:
            {
                if (bytes.Embedded is { } inner && random.Next(4) != 0)
                {
                    var innerNodes = new List<Node>();
                    Collect(inner, innerNodes);
                    MutateNode(random, innerNodes[random.Next(innerNodes.Count)]);
                    bytes.Data = Encode(inner);
                    bytes.Embedded = null;
                    return;
                }

                if (bytes.Data.Length > 0 && bytes.Data[0] == 0x30 && random.Next(2) == 0)
                {
                    bytes.Data = DerMutations.Mutate(random, bytes.Data);
                }
                else
                {
                    bytes.Data = random.Next(2) == 0 ? bytes.Data[..random.Next(bytes.Data.Length + 1)] : [.. bytes.Data, .. new byte[random.Next(1, 33)]];
                }

                bytes.Embedded = null;
                return;
            }

            case TextValue text when random.Next(2) == 0:
                text.Text = random.Next(2) == 0 ? text.Text[..random.Next(text.Text.Length + 1)] : text.Text + "\u00e9x";
                return;

            case IntValue integer when random.Next(2) == 0:
                integer.Value = random.Next(5) switch { 0 => 0, 1 => -1, 2 => integer.Value + 1, 3 => long.MaxValue, _ => random.Next(-65536, 65536) };
                return;
        }

        // Retype: the node becomes a value of another major type.
        node.Value = random.Next(8) switch
        {
            0 => new IntValue { Value = random.Next(-40, 70000) },
            1 => new TextValue { Text = "sha-256" },
            2 => new BytesValue { Data = new byte[random.Next(0, 66)] },
            3 => new ArrayValue(),
            4 => new MapValue(),
            5 => new SimpleValue { Kind = random.Next(4) },
            6 => new TagValue { Tag = (CborTag)random.Next(0, 400), Inner = new Node(new IntValue { Value = 1 }) },
            _ => new SimpleValue { Kind = 4 },
        };
    }

    private static void Collect(Node node, List<Node> nodes)
    {
        nodes.Add(node);
        switch (node.Value)
        {
            case MapValue map:
                foreach (var (key, value) in map.Entries)
                {
                    Collect(key, nodes);
                    Collect(value, nodes);
                }

                break;
            case ArrayValue array:
                array.Items.ForEach(item => Collect(item, nodes));
                break;
            case TagValue tag:
                Collect(tag.Inner, nodes);
                break;
        }
    }

    private static Node? TryDecode(byte[] cbor)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
            var node = Read(reader, 0);
            return reader.BytesRemaining == 0 ? node : null;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private static Node Read(CborReader reader, int depth)
    {
        if (depth > 32)
        {
            throw new FormatException("too deep");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return new Node(new IntValue { Value = reader.ReadInt64() });
            case CborReaderState.ByteString:
            {
                var data = reader.ReadByteString();
                var value = new BytesValue { Data = data };
                if (data.Length > 1 && (data[0] >> 5) is 4 or 5 or 6)
                {
                    value.Embedded = TryDecode(data);
                }

                return new Node(value);
            }

            case CborReaderState.TextString:
                return new Node(new TextValue { Text = reader.ReadTextString() });
            case CborReaderState.StartArray:
            {
                var array = new ArrayValue();
                int? count = reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    array.Items.Add(Read(reader, depth + 1));
                }

                reader.ReadEndArray();
                _ = count;
                return new Node(array);
            }

            case CborReaderState.StartMap:
            {
                var map = new MapValue();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    var key = Read(reader, depth + 1);
                    map.Entries.Add((key, Read(reader, depth + 1)));
                }

                reader.ReadEndMap();
                return new Node(map);
            }

            case CborReaderState.Tag:
            {
                var tag = reader.ReadTag();
                return new Node(new TagValue { Tag = tag, Inner = Read(reader, depth + 1) });
            }

            case CborReaderState.Null:
                reader.ReadNull();
                return new Node(new SimpleValue { Kind = 0 });
            case CborReaderState.Boolean:
                return new Node(new SimpleValue { Kind = reader.ReadBoolean() ? 1 : 2 });
            default:
                throw new FormatException("unsupported CBOR item");
        }
    }

    private static byte[] Encode(Node root)
    {
        var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: true, allowMultipleRootLevelValues: false);
        Write(writer, root);
        return writer.Encode();
    }

    private static void Write(CborWriter writer, Node node)
    {
        switch (node.Value)
        {
            case IntValue integer: writer.WriteInt64(integer.Value); break;
            case BytesValue bytes: writer.WriteByteString(bytes.Embedded is { } inner ? Encode(inner) : bytes.Data); break;
            case TextValue text: writer.WriteTextString(text.Text); break;
            case ArrayValue array:
                writer.WriteStartArray(array.Items.Count);
                array.Items.ForEach(item => Write(writer, item));
                writer.WriteEndArray();
                break;
            case MapValue map:
                writer.WriteStartMap(map.Entries.Count);
                foreach (var (key, value) in map.Entries)
                {
                    Write(writer, key);
                    Write(writer, value);
                }

                writer.WriteEndMap();
                break;
            case TagValue tag:
                writer.WriteTag(tag.Tag);
                Write(writer, tag.Inner);
                break;
            case SimpleValue simple:
                switch (simple.Kind)
                {
                    case 0: writer.WriteNull(); break;
                    case 1: writer.WriteBoolean(true); break;
                    case 2: writer.WriteBoolean(false); break;
                    case 3: writer.WriteDouble(1.5); break;
                    default: writer.WriteSimpleValue(CborSimpleValue.Undefined); break;
                }

                break;
        }
    }

    private sealed class Node(object value)
    {
        public object Value { get; set; } = value;
    }

    private sealed class IntValue
    {
        public long Value { get; set; }
    }

    private sealed class BytesValue
    {
        public byte[] Data { get; set; } = [];

        public Node? Embedded { get; set; }
    }

    private sealed class TextValue
    {
        public string Text { get; set; } = "";
    }

    private sealed class ArrayValue
    {
        public List<Node> Items { get; } = [];
    }

    private sealed class MapValue
    {
        public List<(Node Key, Node Value)> Entries { get; } = [];
    }

    private sealed class TagValue
    {
        public CborTag Tag { get; set; }

        public Node Inner { get; set; } = null!;
    }

    private sealed class SimpleValue
    {
        public int Kind { get; set; }
    }
}
