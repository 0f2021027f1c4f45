using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// What an exception thrown by an ECALL implementation may tell the host (docs/threat-model.md, "Exceptions across
/// the boundary"). A production enclave sends only the exception's type and a generic message, and logs the full
/// message with the enclave's logger under an error id the host's message repeats; a debug enclave sends the message.
/// The runtime's own errors (marshalling, refused calls, payload limits, sealing failures...) keep their message:
/// they describe the call, not enclave data.
/// </summary>
internal static class EcallErrorDisclosure
{
    /// <summary>The logger category of withheld messages.</summary>
    public const string LogCategory = "SecGear.Trusted.EcallErrors";

    /// <summary>True when <paramref name="exception"/> came from enclave code, not from the SecGear runtime itself.</summary>
    public static bool IsFromEnclaveCode(Exception exception) =>
        exception is not SecGearException || !IsRuntimeAssembly(exception.GetType().Assembly);

    /// <summary>
    /// Logs <paramref name="exception"/>'s message inside the enclave and returns what crosses instead: an
    /// <see cref="EcallFailedException"/> with the original type name and a message that names the error id.
    /// </summary>
    public static EcallFailedException Withhold(Exception exception, string ecallName, ILogger logger)
    {
        string type = exception.GetType().FullName ?? exception.GetType().Name;
        string errorId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        logger.LogError("ECALL '{Ecall}' failed with {Type} (error {ErrorId}): {Message}", ecallName, type, errorId, exception.Message);
        return new EcallFailedException(
            type,
            $"ECALL '{ecallName}' threw {type} inside the enclave (error {errorId}); the message stays inside the enclave and went to its log. A debug enclave sends the full message.");
    }

    private static bool IsRuntimeAssembly(System.Reflection.Assembly assembly) =>
        assembly == typeof(SecGearException).Assembly || assembly == typeof(EcallErrorDisclosure).Assembly;
}
