using System.Security.Cryptography;

namespace SecGear.Attestation.Simulation;

/// <summary>
/// A simulated CA and attestation key certificate pair that passed every check that does not depend on the time:
/// pinned CA, CA basic constraints, issuer, certificate signature, P-256 key. Holds the imported key and both
/// validity windows, so a warm verification costs one ECDSA verification. Use <see cref="Key"/> under its own lock.
/// </summary>
internal sealed record VerifiedChain(ECDsa Key, DateTimeOffset CaNotBefore, DateTimeOffset CaNotAfter, DateTimeOffset KeyNotBefore, DateTimeOffset KeyNotAfter);
