namespace SecGear.Testing;

/// <summary>
/// Locates ../shared/testvectors (never copied into the repository): env SECGEAR_TESTVECTORS, else the directory
/// beside the repository root (the directory holding SecGear.slnx).
/// </summary>
public static class TestVectors
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The test-vector directory, or null when absent (tests then report themselves skipped).</summary>
    public static string? Directory => Root.Value;

    /// <summary>The skip reason when the vectors are absent.</summary>
    public static string MissingReason =>
        "test vectors not found: set SECGEAR_TESTVECTORS or place them at ../shared/testvectors beside the repository root";

    /// <summary>A path inside the test-vector directory; throws with <see cref="MissingReason"/> when it is absent.</summary>
    public static string Path(string relative) =>
        System.IO.Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason), relative);

    /// <summary>Reads a test-vector file.</summary>
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

        if (RepositoryRoot.TryPath is not { } root)
        {
            return null;
        }

        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, "..", "shared", "testvectors"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }
}
