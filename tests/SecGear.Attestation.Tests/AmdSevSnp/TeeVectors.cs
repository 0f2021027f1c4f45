namespace SecGear.Attestation.Tests.Tee;

/// <summary>
/// Locates ../shared/testvectors for the SEV-SNP, Nitro and CCA tests (never copied into the repository):
/// env SECGEAR_TESTVECTORS, else the directory beside the repository root (the directory holding SecGear.slnx).
/// </summary>
internal static class TeeVectors
{
    private static readonly Lazy<string?> Root = new(Find);

    public static string? Directory => Root.Value;

    public static string MissingReason =>
        "test vectors not found: set SECGEAR_TESTVECTORS or place them at ../shared/testvectors beside the repository root";

    public static byte[] Read(string relative) =>
        File.ReadAllBytes(Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason), relative));

    public static byte[] ReadBase64(string relative) => Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(Read(relative)).Trim());

    public static byte[] ReadHex(string relative) => Convert.FromHexString(System.Text.Encoding.ASCII.GetString(Read(relative)).Trim());

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
            if (File.Exists(Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testvectors"));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
