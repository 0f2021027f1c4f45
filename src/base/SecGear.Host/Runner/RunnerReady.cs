using SecGear.Identity;
using SecGear.Images;

namespace SecGear.Host.Runner;

/// <summary>
/// A runner's start-up message after <see cref="RunnerStartup.Check"/> accepted it: the fields the host uses, none
/// missing.
/// </summary>
internal sealed record RunnerReady(
    string Region,
    int SlotCount,
    int SlotSize,
    int MaxPayload,
    EnclaveManifest Manifest,
    EnclaveIdentity Identity,
    bool Switchless);
