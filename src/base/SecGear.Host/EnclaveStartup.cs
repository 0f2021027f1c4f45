namespace SecGear.Host;

/// <summary>
/// Starting an enclave from a program's entry point: a missing, unreadable, unsigned or tampered image (or an engine
/// the machine lacks) is the user's input, not a crash, so it becomes one line on standard error and exit code
/// <see cref="FailureExitCode"/> instead of an unhandled-exception dump.
/// </summary>
public static class EnclaveStartup
{
    /// <summary>The exit code a program returns when <see cref="CreateOrReport"/> returned null.</summary>
    public const int FailureExitCode = 1;

    /// <summary>
    /// Creates the enclave as <see cref="Enclave.Create"/> does, or writes
    /// <c>&lt;program&gt;: cannot start the enclave from '&lt;image&gt;': &lt;reason&gt;</c> to <paramref name="error"/>
    /// (default: standard error) and returns null. Only the failures the user can act on are caught: SecGear's own
    /// exceptions and file-access errors; a bug still surfaces as an exception.
    /// </summary>
    public static Enclave? CreateOrReport(
        string imagePath,
        EnclaveType type = EnclaveType.Auto,
        EnclaveFlags flags = EnclaveFlags.None,
        EnclaveOptions? options = null,
        TextWriter? error = null)
    {
        try
        {
            return Enclave.Create(imagePath, type, flags, options);
        }
        catch (Exception ex) when (ex is SecGearException or IOException or UnauthorizedAccessException)
        {
            (error ?? Console.Error).WriteLine($"{AppDomain.CurrentDomain.FriendlyName}: cannot start the enclave from '{imagePath}': {ex.Message}");
            return null;
        }
    }
}
