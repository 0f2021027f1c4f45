namespace SecGear.Host.Switchless;

/// <summary>
/// A counter incremented on the switchless hot path by many threads: each thread adds to one of several stripes on
/// cache lines of their own (picked by thread id), so callers on different cores do not pull one line back and forth
/// per call. Reading sums the stripes; the sum is exact once the increments it should include have returned.
/// </summary>
internal sealed class StripedCounter
{
    private const int Stripes = 16;

    /// <summary>Longs per stripe: 128 bytes, so adjacent-line prefetch does not pair two stripes either.</summary>
    private const int Stride = 16;

    private readonly long[] _values = new long[Stripes * Stride];

    public void Increment() => Interlocked.Increment(ref _values[(Environment.CurrentManagedThreadId & (Stripes - 1)) * Stride]);

    public long Read()
    {
        long sum = 0;
        for (int i = 0; i < Stripes; i++)
        {
            sum += Volatile.Read(ref _values[i * Stride]);
        }

        return sum;
    }
}
