using System.Reflection;

namespace SecGear.Testing;

/// <summary>Finds the checkout the tests run from: the first directory above the test binaries that holds SecGear.slnx.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The repository root; throws when the tests do not run from inside a checkout.</summary>
    public static string Path => Found.Value
        ?? throw new InvalidOperationException($"SecGear.slnx not found above the test directory {AppContext.BaseDirectory}");

    /// <summary>The repository root, or null outside a checkout.</summary>
    public static string? TryPath => Found.Value;

    /// <summary>A path below the repository root.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>The build configuration (Debug, Release) the given test assembly was built with, for paths into bin/.</summary>
    public static string Configuration(Assembly testAssembly) =>
        testAssembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
