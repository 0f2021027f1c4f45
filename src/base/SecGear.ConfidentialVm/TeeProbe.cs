using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>What one attestation interface of this machine answered.</summary>
/// <param name="Name">The interface (e.g. "configfs-tsm", "/dev/sev-guest").</param>
/// <param name="Available">True when it answered.</param>
/// <param name="Detail">The provider or device found, or why it is absent.</param>
/// <param name="Failure">The typed reason when absent.</param>
public sealed record TeeProbe(string Name, bool Available, string Detail, TsmFailureCode? Failure);
