using System.Diagnostics.CodeAnalysis;

namespace SecGear.AttestationService;

/// <summary>
/// A key-broker resource name <c>repository/type/tag</c> (the Trustee KBS convention). Each segment is 1–64 characters
/// of <c>[A-Za-z0-9._-]</c> and is not <c>.</c> or <c>..</c>, so a name can never escape its place in a URL or a path.
/// </summary>
public static class ResourcePath
{
    /// <summary>Longest segment accepted.</summary>
    public const int MaxSegmentLength = 64;

    /// <summary>Returns <c>repository/type/tag</c>, or throws <see cref="ArgumentException"/> naming the bad segment.</summary>
    public static string Validate(string repository, string type, string tag)
    {
        CheckSegment(repository, nameof(repository));
        CheckSegment(type, nameof(type));
        CheckSegment(tag, nameof(tag));
        return $"{repository}/{type}/{tag}";
    }

    /// <summary>True when <paramref name="segment"/> is a valid segment.</summary>
    public static bool IsValidSegment([NotNullWhen(true)] string? segment)
    {
        if (string.IsNullOrEmpty(segment) || segment.Length > MaxSegmentLength || segment is "." or "..")
        {
            return false;
        }

        foreach (char c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckSegment(string segment, string name)
    {
        if (!IsValidSegment(segment))
        {
            throw new ArgumentException(
                $"Resource {name} must be 1-{MaxSegmentLength} characters of [A-Za-z0-9._-] and not '.' or '..'.", name);
        }
    }
}
