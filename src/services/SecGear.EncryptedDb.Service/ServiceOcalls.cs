using Microsoft.Extensions.Logging;

namespace SecGear.EncryptedDb.Service;

/// <summary>The query service's side of the enclave's OCALLs.</summary>
internal sealed class ServiceOcalls(ILogger logger) : IEncryptedDbOcalls
{
    public void PrintMessage(string? message) => logger.LogInformation("{EnclaveMessage}", message);
}
