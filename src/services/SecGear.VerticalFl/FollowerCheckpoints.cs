using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SecGear.VerticalFl;

/// <summary>
/// A follower's bottom-network checkpoints: the initial parameters (epoch -1) and the last two epochs (the leader may
/// resume from either, depending on where a drop-out hit), in memory and, when a directory is given, in files
/// <c>party.epoch-N.checkpoint</c> (<c>i32 epoch | u32 weightCount | weights | u32 biasCount | biases</c>, float32 LE).
/// </summary>
internal sealed class FollowerCheckpoints(string party, string? directory, float[][] initial)
{
    private readonly SortedDictionary<int, float[][]> _epochs = Load(party, directory);

    public int Latest => _epochs.Count == 0 ? -1 : _epochs.Keys.Max();

    public void Save(int epoch, float[][] parameters)
    {
        _epochs[epoch] = parameters;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            string path = PathOf(party, directory, epoch);
            File.WriteAllBytes(path + ".tmp", Encode(epoch, parameters));
            File.Move(path + ".tmp", path, overwrite: true);
        }

        foreach (int old in _epochs.Keys.Where(e => e < epoch - 1).ToArray())
        {
            _epochs.Remove(old);
            if (directory is not null)
            {
                File.Delete(PathOf(party, directory, old));
            }
        }
    }

    public float[][] Get(int epoch)
    {
        if (epoch == -1)
        {
            return initial;
        }

        return _epochs.TryGetValue(epoch, out float[][]? parameters)
            ? parameters
            : throw new VerticalFlException(VflStatus.NotReady, $"follower '{party}' holds no checkpoint of epoch {epoch} (it has: {(_epochs.Count == 0 ? "none" : string.Join(", ", _epochs.Keys))}); the run cannot resume there");
    }

    private static string PathOf(string party, string directory, int epoch) => Path.Combine(directory, $"{party}.epoch-{epoch}.checkpoint");

    private static byte[] Encode(int epoch, float[][] parameters)
    {
        using var stream = new MemoryStream();
        Span<byte> scratch = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(scratch, epoch);
        stream.Write(scratch);
        foreach (float[] block in parameters)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)block.Length);
            stream.Write(scratch);
            stream.Write(MemoryMarshal.AsBytes(block.AsSpan()));
        }

        return stream.ToArray();
    }

    private static SortedDictionary<int, float[][]> Load(string party, string? directory)
    {
        var epochs = new SortedDictionary<int, float[][]>();
        if (directory is null || !Directory.Exists(directory))
        {
            return epochs;
        }

        foreach (string path in Directory.GetFiles(directory, $"{party}.epoch-*.checkpoint"))
        {
            byte[] bytes = File.ReadAllBytes(path);
            try
            {
                int epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes);
                int offset = 4;
                var blocks = new List<float[]>();
                while (offset < bytes.Length)
                {
                    int count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)));
                    offset += 4;
                    blocks.Add(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset, checked(count * 4))).ToArray());
                    offset += count * 4;
                }

                epochs[epoch] = [.. blocks];
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"{path}: not a follower checkpoint ({ex.Message})", ex);
            }
        }

        return epochs;
    }
}
