namespace SecGear.Abi;

/// <summary>
/// Checked arithmetic for the byte lengths of EDL buffers (<c>size</c>/<c>count</c>, DESIGN.md section 2). Used by
/// generated code on both sides: the receiving side passes <c>received: true</c> and gets
/// <see cref="MarshalException"/> for bad values; the sending side gets <see cref="ArgumentException"/>-family errors,
/// because there the values came from its own caller.
/// </summary>
public static class WireSize
{
    /// <summary>Converts a signed <c>size</c>/<c>count</c> value to a count; negative values are rejected.</summary>
    /// <param name="value">The value of the size or count parameter.</param>
    /// <param name="received">True on the receiving side of the boundary.</param>
    /// <param name="parameter">EDL name of the buffer parameter, for the message.</param>
    public static ulong Count(long value, bool received, string parameter)
    {
        if (value < 0)
        {
            string message = $"The size or count of '{parameter}' is negative ({value}).";
            throw received ? new MarshalException(message) : new ArgumentOutOfRangeException(parameter, value, message);
        }

        return (ulong)value;
    }

    /// <summary>Multiplies two counts, failing on overflow instead of wrapping.</summary>
    /// <param name="left">First factor.</param>
    /// <param name="right">Second factor.</param>
    /// <param name="received">True on the receiving side of the boundary.</param>
    /// <param name="parameter">EDL name of the buffer parameter, for the message.</param>
    public static ulong Multiply(ulong left, ulong right, bool received, string parameter)
    {
        if (left != 0 && right > ulong.MaxValue / left)
        {
            string message = $"The length of '{parameter}' overflows ({left} x {right}).";
            throw received ? new MarshalException(message) : new ArgumentOutOfRangeException(parameter, message);
        }

        return left * right;
    }

    /// <summary>
    /// Checks a buffer length in bytes: a multiple of <paramref name="elementSize"/> (Intel's rule for typed
    /// pointers) and, on the receiving side, at most <see cref="WireLimits.MaxBufferBytes"/>.
    /// </summary>
    /// <param name="bytes">The length in bytes.</param>
    /// <param name="elementSize">Size of one element; 1 for untyped buffers.</param>
    /// <param name="received">True on the receiving side of the boundary.</param>
    /// <param name="parameter">EDL name of the buffer parameter, for the message.</param>
    /// <returns>The length as an <see cref="int"/>.</returns>
    public static int Length(ulong bytes, int elementSize, bool received, string parameter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elementSize);
        ulong limit = received ? (ulong)WireLimits.MaxBufferBytes : (ulong)Array.MaxLength;
        if (bytes > limit)
        {
            string message = received
                ? $"The length of '{parameter}' ({bytes} bytes) exceeds the limit of {limit} bytes (WireLimits.MaxBufferBytes)."
                : $"The length of '{parameter}' ({bytes} bytes) exceeds the largest possible buffer ({limit} bytes).";
            throw received ? new MarshalException(message) : new ArgumentOutOfRangeException(parameter, message);
        }

        if (bytes % (ulong)elementSize != 0)
        {
            string message = $"The length of '{parameter}' ({bytes} bytes) is not a multiple of its element size ({elementSize} bytes).";
            throw received ? new MarshalException(message) : new ArgumentException(message, parameter);
        }

        return (int)bytes;
    }
}
