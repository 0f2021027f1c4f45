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

        // Hardware is worth an information line; the usual fallback to simulation on a machine without a TEE is not, so
        // it stays at debug (with the reason) instead of preceding every app's own output.
        ILogger logger = loggerFactory.CreateLogger("SecGear.Host.Engines");
        if (chosen.Type == EnclaveType.Simulation)
        {
            ChoseFallback(logger, chosen.Name, ConfidentialVmEngine.AvailabilityDetail);
        }
        else
        {
            Chose(logger, chosen.Name, ConfidentialVmEngine.AvailabilityDetail);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "EnclaveType.Auto chose the {Engine} engine (confidential VM: {ConfidentialVm})")]
    private static partial void Chose(ILogger logger, string engine, string confidentialVm);

    [LoggerMessage(Level = LogLevel.Debug, Message = "EnclaveType.Auto chose the {Engine} engine (confidential VM: {ConfidentialVm})")]
    private static partial void ChoseFallback(ILogger logger, string engine, string confidentialVm);
}
