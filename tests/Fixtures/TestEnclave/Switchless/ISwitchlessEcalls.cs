namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>The ECALL interface of the switchless test contract.</summary>
public interface ISwitchlessEcalls
{
    byte[] Echo(ReadOnlySpan<byte> data);

    /// <summary>The <see cref="Checksum"/> of <paramref name="length"/> bytes of a shared buffer from <paramref name="offset"/>, read in place.</summary>
    long SumShared(nint token, int offset, int length);

    /// <summary>Fills a range of a shared buffer with <paramref name="value"/> (8-byte sized and aligned writes).</summary>
    void FillShared(nint token, int offset, int length, byte value);

    byte[] EchoViaSwitchlessOcall(ReadOnlySpan<byte> data);

    byte[] EchoViaRegularOcall(ReadOnlySpan<byte> data);

    void Sleep(int milliseconds);

    byte[] Bytes(int count);

    long Increment(long value);

    /// <summary>Makes <paramref name="count"/> empty OCALLs (switchless or regular) and returns.</summary>
    void OcallLoop(int count, bool switchless);

    /// <summary>The <see cref="Checksum"/> of an <c>[in]</c> buffer (copied in).</summary>
    long SumBytes(ReadOnlySpan<byte> data);
}
