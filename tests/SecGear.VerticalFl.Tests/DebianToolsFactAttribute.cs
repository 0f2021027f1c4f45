namespace SecGear.VerticalFl.Tests;

/// <summary>A fact that needs apt-get and dpkg (Debian); reported skipped, with the reason, where they are absent.</summary>
public sealed class DebianToolsFactAttribute : FactAttribute
{
    public DebianToolsFactAttribute()
    {
        string[] missing = [.. new[] { "apt-get", "dpkg" }.Where(tool => !OnPath(tool))];
        if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(" and ", missing)} (Debian) to download python3-sklearn";
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, tool)));
}
