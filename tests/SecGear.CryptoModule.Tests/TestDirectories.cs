using System.Collections.Concurrent;

namespace SecGear.CryptoModule.Tests;

/// <summary>Temporary data directories of the tests: removed when done (at process exit for those a test hands to a module it restarts).</summary>
internal static class TestDirectories
{
    private static readonly ConcurrentBag<string> AtExit = [];

    static TestDirectories() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string path in AtExit)
        {
            Delete(path);
        }
    };

    public static void DeleteAtExit(string path) => AtExit.Add(path);

    /// <summary>A fresh path under the temporary directory (not created), removed at process exit.</summary>
    public static string NewAtExit()
    {
        string path = Path.Combine(Path.GetTempPath(), "secgear-cm-test-" + Guid.NewGuid().ToString("N")[..12]);
        DeleteAtExit(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held by a pooled SQLite connection: left in the temporary directory.
        }
    }
}
