namespace SecGear.Attestation.Tests;

/// <summary>Deterministic structural mutations for fuzzing: overwrite, insert, delete, duplicate or zero a random range.</summary>
internal static class Mutations
{
    public static byte[] Structural(byte[] input, Random random)
    {
        var data = input.ToList();
        int start = random.Next(data.Count);
        int length = Math.Min(random.Next(1, 64), data.Count - start);
        switch (random.Next(5))
        {
            case 0:
                for (int j = 0; j < length; j++)
                {
                    data[start + j] = (byte)random.Next(256);
                }

                break;
            case 1:
                var inserted = new byte[length];
                random.NextBytes(inserted);
                data.InsertRange(start, inserted);
                break;
            case 2:
                data.RemoveRange(start, length);
                break;
            case 3:
                data.InsertRange(start, data.GetRange(start, length));
                break;
            default:
                for (int j = 0; j < length; j++)
                {
                    data[start + j] = 0;
                }

                break;
        }

        return [.. data];
    }
}
