namespace SecGear.AttestationService.Console.Tests;

/// <summary>A fact that drives Debian's chromium: skipped, with the reason, when the executable is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Overrides the executable (default <c>/usr/bin/chromium</c>).</summary>
    public const string Variable = "SECGEAR_CHROMIUM";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
        {
            Skip = $"chromium is not installed at {ExecutablePath} (Debian package 'chromium', listed in .ci/apt-packages; or set {Variable}).";
        }
    }

    public static string ExecutablePath => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : "/usr/bin/chromium";
}
