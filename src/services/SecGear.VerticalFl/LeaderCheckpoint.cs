using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SecGear.VerticalFl;

/// <summary>
/// What the leader keeps on disk to resume after its own crash: the enclave's checkpoint sealed by the enclave (the
/// host cannot read or change it undetected), and the host's own part in plain form: the top network (split-layer
/// mode), the round the checkpoint ends at, and the epochs' results so far. One file, <c>leader.checkpoint</c>,
/// replaced atomically after every epoch. Layout, little-endian: <c>"VFLC" | u8 version(1) | i32 epoch | u64 round |
/// u32 sealedLength | sealed | u32 blockCount | blockCount x (u32 count | count float32) | u32 epochs | epochs x
/// (i32 epoch | f64 loss | f64 accuracy | f64 auc | i64 elapsedTicks)</c>.
/// </summary>
internal sealed record LeaderCheckpoint(int Epoch, ulong Round, byte[] Sealed, float[][] Top, IReadOnlyList<EpochResult> History)
{
    private const string FileName = "leader.checkpoint";
    private static readonly byte[] Magic = "VFLC"u8.ToArray();

    /// <summary>The checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static LeaderCheckpoint? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            var reader = new Reader(bytes);
            if (!reader.Take(4).SequenceEqual(Magic) || reader.Take(1)[0] != 1)
            {
                throw new InvalidDataException("not a version 1 leader checkpoint");
            }

            int epoch = reader.I32();
            ulong round = reader.U64();
            byte[] sealedBlob = reader.Take(reader.Count(1)).ToArray();
            var top = new float[reader.Count(4)][];
            for (int i = 0; i < top.Length; i++)
            {
                top[i] = MemoryMarshal.Cast<byte, float>(reader.Take(reader.Count(4) * 4)).ToArray();
            }

            var history = new EpochResult[reader.Count(36)];
            for (int i = 0; i < history.Length; i++)
            {
                history[i] = new EpochResult(reader.I32(), reader.F64(), reader.F64(), reader.F64(), TimeSpan.FromTicks(reader.I64()));
            }

            reader.End();
            return new LeaderCheckpoint(epoch, round, sealedBlob, top, history);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the checkpoint to a temporary file and renames it over the previous one.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        using var stream = new MemoryStream();
        Span<byte> scratch = stackalloc byte[8];
        stream.Write(Magic);
        stream.WriteByte(1);
        BinaryPrimitives.WriteInt32LittleEndian(scratch, Epoch);
        stream.Write(scratch[..4]);
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, Round);
        stream.Write(scratch);
        WriteCount(stream, Sealed.Length);
        stream.Write(Sealed);
        WriteCount(stream, Top.Length);
        foreach (float[] block in Top)
        {
            WriteCount(stream, block.Length);
            stream.Write(MemoryMarshal.AsBytes(block.AsSpan()));
        }

        WriteCount(stream, History.Count);
        foreach (EpochResult result in History)
        {
            BinaryPrimitives.WriteInt32LittleEndian(scratch, result.Epoch);
            stream.Write(scratch[..4]);
            foreach (double value in new[] { result.TrainLoss, result.TestAccuracy, result.TestAuc })
            {
                BinaryPrimitives.WriteDoubleLittleEndian(scratch, value);
                stream.Write(scratch);
            }

            BinaryPrimitives.WriteInt64LittleEndian(scratch, result.Elapsed.Ticks);
            stream.Write(scratch);
        }

        string path = Path.Combine(directory, FileName);
        File.WriteAllBytes(path + ".tmp", stream.ToArray());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static void WriteCount(Stream stream, int count)
    {
        Span<byte> scratch = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)count);
        stream.Write(scratch);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _offset;

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || length > _data.Length - _offset)
            {
                throw new InvalidDataException($"truncated at offset {_offset}");
            }

            ReadOnlySpan<byte> slice = _data.Slice(_offset, length);
            _offset += length;
            return slice;
        }

        // A count of items of at least itemSize bytes each, refused when the rest of the file cannot hold them.
        public int Count(int itemSize)
        {
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            return count > (uint)((_data.Length - _offset) / itemSize)
                ? throw new InvalidDataException($"a count of {count} at offset {_offset - 4} exceeds the file")
                : (int)count;
        }

        public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public readonly void End()
        {
            if (_offset != _data.Length)
            {
                throw new InvalidDataException($"{_data.Length - _offset} bytes after the checkpoint");
            }
        }
    }
}
