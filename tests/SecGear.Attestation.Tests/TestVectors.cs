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

    /// <summary>Reads a file holding base64 text (e.g. a Nitro document).</summary>
    public static byte[] ReadBase64(string relative) => Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(Read(relative)).Trim());

    /// <summary>Reads a file holding hex text (e.g. an SEV-SNP report).</summary>
    public static byte[] ReadHex(string relative) => Convert.FromHexString(System.Text.Encoding.ASCII.GetString(Read(relative)).Trim());

    /// <summary>Parses an ISO 8601 time for a pinned verification clock.</summary>
    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

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
