namespace SecGear.Transport;

/// <summary>
/// The futex word at the start of every slot: who owns the slot now. The host waits while it is
/// <see cref="ToEnclave"/>; the enclave thread waits while it is anything else.
/// </summary>
internal static class SlotState
{
    /// <summary>No call in progress; the host owns the slot.</summary>
    public const int Idle = 0;

    /// <summary>The host posted a message (ECALL, bind, OCALL result, log acknowledgement); the enclave owns the slot.</summary>
    public const int ToEnclave = 1;

    /// <summary>The enclave posted a message (result, error, OCALL, log); the host owns the slot.</summary>
    public const int ToHost = 2;

    /// <summary>Written by the host only, after the runner died or the enclave was disposed: wakes the host's waiters.</summary>
    public const int Dead = 3;
}
