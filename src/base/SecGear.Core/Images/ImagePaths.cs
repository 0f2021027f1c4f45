using System.Text;

namespace SecGear.Images;

/// <summary>Rules for file paths inside an image: relative, '/'-separated, no '.', '..' or empty segments.</summary>
internal static class ImagePaths
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns why <paramref name="path"/> is unsafe, or null when it is acceptable.</summary>
    public static string? Check(string path)
    {
        if (path.Length == 0)
        {
            return "the path is empty";
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(path);
        }
        catch (EncoderFallbackException)
        {
            return "the path is not valid Unicode";
        }

        if (byteCount > EnclaveImageLimits.MaxPathBytes)
        {
            return $"the path is {byteCount} UTF-8 bytes, the limit is {EnclaveImageLimits.MaxPathBytes}";
        }

        foreach (char c in path)
        {
            if (char.IsControl(c))
            {
                return "the path contains a control character";
            }

            if (c is '\\' or ':')
            {
                return $"the path contains '{c}'";
            }
        }

        if (path[0] == '/')
        {
            return "the path is absolute";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return $"the path has a '{segment}' segment";
            }
        }

        return null;
    }

    /// <summary>Decodes UTF-8 path bytes strictly; null when they are not valid UTF-8.</summary>
    public static string? Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public static byte[] Encode(string path) => StrictUtf8.GetBytes(path);

    /// <summary>True when <paramref name="text"/> has no unpaired surrogate, so it encodes to UTF-8 losslessly.</summary>
    public static bool IsValidUnicode(string text)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
