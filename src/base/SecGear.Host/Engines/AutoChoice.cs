using Microsoft.Extensions.Logging;
using SecGear.Host.ConfidentialVm;

namespace SecGear.Host.Engines;

/// <summary>Logs which engine <see cref="EnclaveType.Auto"/> chose, and why the confidential-VM engine was or was not it.</summary>
internal static partial class AutoChoice
{
    public static void Log(ILoggerFactory? loggerFactory, IEnclaveEngine chosen)
    {
        if (loggerFactory is null)
        {
            return;
        }

        ILogger logger = loggerFactory.CreateLogger("SecGear.Host.Engines");
        Chose(logger, chosen.Name, ConfidentialVmEngine.AvailabilityDetail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "EnclaveType.Auto chose the {Engine} engine (confidential VM: {ConfidentialVm})")]
    private static partial void Chose(ILogger logger, string engine, string confidentialVm);
}
