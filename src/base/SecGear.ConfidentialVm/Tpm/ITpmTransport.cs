namespace SecGear.ConfidentialVm.Tpm;

/// <summary>Sends one TPM 2.0 command and returns its response (raw TPM wire bytes, big-endian).</summary>
public interface ITpmTransport : IDisposable
{
    /// <summary>Executes <paramref name="command"/>.</summary>
    /// <exception cref="TpmException">The transport failed.</exception>
    byte[] Execute(ReadOnlySpan<byte> command);
}
