using SecGear.Transport;

namespace SecGear.Switchless;

/// <summary>
/// A worker's wakes of parked asynchronous callers (<see cref="PoolLayout.WaiterAsyncParked"/>), held back until its
/// batch is served: a caller that parked on the first call of a window of 16 is woken once, after all 16 were answered,
/// instead of being woken for the first, finding the second pending and parking again. The wakes are issued at the end
/// of the worker's poll pass, or before it serves another task once the oldest has waited <see cref="MaxDelayUs"/>
/// (a long call in the same batch must not hold back the answer of a short one). One per worker thread; not shared.
/// </summary>
internal sealed unsafe class DeferredWakes(int capacity)
{
    /// <summary>The longest a held-back wake waits for the rest of the batch.</summary>
    public const int MaxDelayUs = 20;

    private static readonly long MaxDelayTicks = SwitchlessPacer.MicrosecondsToTicks(MaxDelayUs);

    private readonly nint[] _tasks = new nint[Math.Max(1, capacity)];
    private int _count;
    private long _since;

    /// <summary>Wakes held back so far.</summary>
    public int Count => _count;

    /// <summary>Holds back the wake of the caller parked on <paramref name="task"/> (issued at once when the list is full).</summary>
    public void Add(byte* task)
    {
        if (_count == _tasks.Length)
        {
            Futex.Wake(PoolAccess.AnswerWord(task));
            return;
        }

        if (_count == 0)
        {
            _since = SwitchlessPacer.Now;
        }

        _tasks[_count++] = (nint)task;
    }

    /// <summary>Issues the held-back wakes when the oldest has waited <see cref="MaxDelayUs"/>.</summary>
    public void FlushIfOld()
    {
        if (_count != 0 && SwitchlessPacer.Now - _since >= MaxDelayTicks)
        {
            Flush();
        }
    }

    /// <summary>
    /// Issues every held-back wake. A task may have been reused by a new call meanwhile: its waiter then gets a spurious
    /// wake, re-checks its state and parks again.
    /// </summary>
    public void Flush()
    {
        for (int i = 0; i < _count; i++)
        {
            Futex.Wake(PoolAccess.AnswerWord((byte*)_tasks[i]));
        }

        _count = 0;
    }
}
