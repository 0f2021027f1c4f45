namespace SecGear.Attestation.Tests;

/// <summary>
/// Locates ../shared/testvectors (never copied into the repository): env SECGEAR_TESTVECTORS, else the directory
/// beside the repository root (the directory holding SecGear.slnx).
/// </summary>
internal static class TestVectors
{
    private static readonly Lazy<string?> Root = new(Find);

    public static string? Directory => Root.Value;

    public static string MissingReason =>
        "test vectors not found: set SECGEAR_TESTVECTORS or place them at ../shared/testvectors beside the repository root";

    public static string Path(string relative) =>
        System.IO.Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason), relative);

    public static byte[] Read(string relative) => File.ReadAllBytes(Path(relative));

    private static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("SECGEAR_TESTVECTORS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "testvectors"));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
