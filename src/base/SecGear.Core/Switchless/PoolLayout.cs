namespace SecGear.Switchless;

/// <summary>
/// Byte layout of the switchless pool (docs/switchless.md): a 4 KiB header, then the ECALL tasks, then the OCALL
/// tasks. Every field one side writes into the other's memory is a naturally aligned 8-byte word.
/// </summary>
internal static class PoolLayout
{
    /// <summary>The bytes "GSLP\0\0v1" read as a little-endian 64-bit value.</summary>
    public const ulong Magic = 0x3176_0000_504C_5347;

    /// <summary>
    /// 3: an asynchronous caller may park on its task (<see cref="WaiterAsyncParked"/>: the worker wakes it at the end of
    /// its batch). 2: responses longer than a task travel in chunks (<see cref="TaskState.More"/>); callers mark
    /// asynchronous tasks they poll themselves.
    /// </summary>
    public const int Version = 3;

    public const int HeaderSize = 4096;

    public const int TaskHeaderSize = 64;

    // Pool header.
    public const int OffMagic = 0;
    public const int OffVersion = 8;
    public const int OffTaskCount = 12;
    public const int OffTaskSize = 16;
    public const int OffInline = 20;

    /// <summary>Futex word (low half of an 8-byte counter) the trusted workers sleep on; bumped by the host to wake them.</summary>
    public const int OffEnclaveSignal = 64;

    /// <summary>Number of trusted workers asleep (the host wakes them only when it is non-zero).</summary>
    public const int OffEnclaveSleepers = 72;

    /// <summary>
    /// Set by the first caller that wakes a sleeping trusted worker, cleared by a worker when it announces sleep: later
    /// callers skip the futex wake while one is already on its way (a burst of posts makes one system call, not one each).
    /// </summary>
    public const int OffEnclaveWakePending = 80;

    /// <summary>Futex word the untrusted workers sleep on; bumped by the enclave to wake them.</summary>
    public const int OffHostSignal = 128;

    public const int OffHostSleepers = 136;

    /// <summary>As <see cref="OffEnclaveWakePending"/>, for the untrusted workers.</summary>
    public const int OffHostWakePending = 144;

    /// <summary>The wake-pending word of the side whose signal word is at <paramref name="signalOffset"/>.</summary>
    public static int WakePending(int signalOffset) => signalOffset + 16;

    // Statistics the trusted workers keep (untrusted: the host may overwrite them, they are only reported).
    public const int OffTrustedSleeps = 192;
    public const int OffTrustedWakes = 200;

    // Switchless OCALLs the enclave made as regular calls, by reason (statistics only, like the two above).
    public const int OffOcallFallbackNotAccepted = 208;
    public const int OffOcallFallbackPoolFull = 216;
    public const int OffOcallFallbackTooLarge = 224;
    public const int OffOcallFallbackBackoff = 232;
    public const int OffOcallFallbackSlower = 240;
    public const int OffOcallFallbackSampling = 248;

    // Task header: the 8-byte control word holds the state (low half, also a futex word) and a status (high half).
    public const int OffControl = 0;
    public const int OffContract = 8;
    public const int OffFunction = 12;
    public const int OffRequestLength = 16;
    public const int OffResponseLength = 24;

    /// <summary>
    /// How the caller waits: 0 spinning, 1 parked on the control word's futex, 2 asynchronous with a continuation
    /// registered (wake the caller's side's workers to complete it), 3 asynchronous and looked at by its caller (the
    /// worker does nothing: the awaiting thread finds the result), 4 asynchronous with its caller parked on the control
    /// word (the worker wakes it once its batch is served, so a window of calls costs one wake, not one per call).
    /// </summary>
    public const int OffWaiter = 40;

    /// <summary>Non-zero while the worker that serves the task is parked on its control word, waiting for the caller to take a response chunk.</summary>
    public const int OffServerParked = 48;

    public const long WaiterSpinning = 0;
    public const long WaiterParked = 1;
    public const long WaiterAsync = 2;
    public const long WaiterAsyncPolled = 3;
    public const long WaiterAsyncParked = 4;

    public static int TaskSize(int inlineCapacity) => TaskHeaderSize + ((inlineCapacity + 63) & ~63);

    public static long PoolSize(int tasks, int inlineCapacity) => HeaderSize + (2L * tasks * TaskSize(inlineCapacity));
}
