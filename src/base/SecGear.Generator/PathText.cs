using System.Collections.Generic;

namespace SecGear.Generator;

/// <summary>Path arithmetic on strings only (generators must not touch the file system).</summary>
internal static class PathText
{
    /// <summary>Forward slashes, no <c>.</c> segments, <c>..</c> folded where possible, no duplicate separators.</summary>
    public static string Normalize(string path)
    {
        string p = path.Replace('\\', '/');
        bool rooted = p.StartsWith("/", System.StringComparison.Ordinal);
        var parts = new List<string>();
        foreach (string part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return (rooted ? "/" : string.Empty) + string.Join("/", parts);
    }

    public static bool IsRooted(string path) =>
        path.StartsWith("/", System.StringComparison.Ordinal) || path.StartsWith("\\", System.StringComparison.Ordinal) ||
        (path.Length >= 2 && path[1] == ':');

    public static string Combine(string directory, string path) =>
        IsRooted(path) || directory.Length == 0 ? Normalize(path) : Normalize(directory + "/" + path);

    public static string Directory(string path)
    {
        string p = Normalize(path);
        int slash = p.LastIndexOf('/');
        return slash < 0 ? string.Empty : slash == 0 ? "/" : p.Substring(0, slash);
    }

    /// <summary>File name without directory and extension.</summary>
    public static string Stem(string path)
    {
        string p = Normalize(path);
        string name = p.Substring(p.LastIndexOf('/') + 1);
        int dot = name.LastIndexOf('.');
        return dot <= 0 ? name : name.Substring(0, dot);
    }
}
