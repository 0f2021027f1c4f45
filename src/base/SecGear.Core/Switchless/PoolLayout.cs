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
    /// 4: a task is three cache lines, each written by one side only on the hot path: the caller's line (its state and
    /// sequence word, the request header, the waiter flag, the chunk acknowledgement), the worker's line (the answer word,
    /// the response length) and the decision line (the accept word, which a caller touches only to take an unaccepted
    /// call back). 3: an asynchronous caller may park on its task (<see cref="WaiterAsyncParked"/>). 2: responses longer
    /// than a task travel in chunks (<see cref="TaskState.More"/>).
    /// </summary>
    public const int Version = 4;

    public const int HeaderSize = 4096;

    /// <summary>Three cache lines: the caller's, the worker's and the decision line; the payload follows.</summary>
    public const int TaskHeaderSize = 192;

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

    // The caller's line (written by the calling side only).

    /// <summary>
    /// The caller word: its state (low half: <see cref="TaskState.Free"/>, <see cref="TaskState.Claimed"/> or
    /// <see cref="TaskState.Submitted"/>) and the sequence number of the call in the task (high half, one more per claim).
    /// </summary>
    public const int OffControl = 0;
    public const int OffContract = 8;
    public const int OffFunction = 12;
    public const int OffRequestLength = 16;

    /// <summary>
    /// How the caller waits: 0 spinning, 1 parked on the answer word's futex, 2 asynchronous with a continuation
    /// registered (wake the caller's side's workers to complete it), 3 asynchronous and looked at by its caller (the
    /// worker does nothing: the awaiting thread finds the result), 4 asynchronous with its caller parked on the answer
    /// word (the worker wakes it once its batch is served, so a window of calls costs one wake, not one per call).
    /// </summary>
    public const int OffWaiter = 24;

    /// <summary>Response chunks the caller has taken (low half also the futex word a worker waiting for it parks on).</summary>
    public const int OffChunkAck = 32;

    // The worker's line (written by the serving worker only; the host writes Dead into it when the enclave is lost).

    /// <summary>
    /// The answer word: low half <c>(sequence &amp; 0xFFFF) &lt;&lt; 16 | (chunk &amp; 0xFF) &lt;&lt; 8 | state</c>
    /// (<see cref="TaskState.Done"/>, <see cref="TaskState.Failed"/>, <see cref="TaskState.More"/> or
    /// <see cref="TaskState.Dead"/>; a futex word that changes with every answer), high half the failure status.
    /// </summary>
    public const int OffAnswer = 64;
    public const int OffResponseLength = 72;

    /// <summary>Non-zero while the worker that serves the task is parked on the chunk acknowledgement, waiting for the caller to take a response chunk.</summary>
    public const int OffServerParked = 80;

    // The decision line.

    /// <summary>
    /// The accept word: the sequence number of the last call of the task that was decided (low half), with
    /// <see cref="Withdrawn"/> set when its caller took it back unaccepted. A worker accepts call N, and a caller takes
    /// it back, by one compare-and-swap each, so exactly one of them wins.
    /// </summary>
    public const int OffAccept = 128;

    /// <summary>Set in the accept word when the caller took the call back before any worker accepted it.</summary>
    public const long Withdrawn = 1L << 32;

    public const long WaiterSpinning = 0;
    public const long WaiterParked = 1;
    public const long WaiterAsync = 2;
    public const long WaiterAsyncPolled = 3;
    public const long WaiterAsyncParked = 4;

    public static int TaskSize(int inlineCapacity) => TaskHeaderSize + ((inlineCapacity + 63) & ~63);

    public static long PoolSize(int tasks, int inlineCapacity) => HeaderSize + (2L * tasks * TaskSize(inlineCapacity));
}
