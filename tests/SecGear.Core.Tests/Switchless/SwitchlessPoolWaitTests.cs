using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using SecGear.Switchless;
using SecGear.Transport;

namespace SecGear.Core.Tests.Switchless;

/// <summary>
/// The pool's waits on a pool in native memory: a worker holds back the wake of a parked asynchronous caller until its
/// batch is served (one wake per window), and a caller whose task no worker accepts while every worker stays busy gives
/// up long before the fallback timeout (and waits for workers that move on from call to call).
/// </summary>
public sealed unsafe class SwitchlessPoolWaitTests : IDisposable
{
    private const int Tasks = 4;
    private const int Inline = 64;
    private readonly byte* _memory = (byte*)NativeMemory.AllocZeroed((nuint)PoolLayout.PoolSize(Tasks, Inline));
    private readonly PoolAccess _pool;
    private long _signature;

    public SwitchlessPoolWaitTests() => _pool = new PoolAccess(_memory, Tasks, PoolLayout.TaskSize(Inline));

    public void Dispose() => NativeMemory.Free(_memory);

    [Fact]
    public void A_worker_holds_back_the_wake_of_a_parked_asynchronous_caller_but_wakes_a_parked_synchronous_caller_at_once()
    {
        var deferred = new DeferredWakes(Tasks);
        byte* asyncTask = _pool.EcallTask(0), syncTask = _pool.EcallTask(1);
        PoolAccess.SetControl(asyncTask, TaskState.Accepted);
        PoolAccess.SetControl(syncTask, TaskState.Accepted);
        PoolAccess.Write64(asyncTask, PoolLayout.OffWaiter, PoolLayout.WaiterAsyncParked);
        PoolAccess.Write64(syncTask, PoolLayout.OffWaiter, PoolLayout.WaiterParked);

        Assert.True(_pool.Respond(syncTask, PoolAccess.SequenceOf(syncTask), TaskState.Done, 0, [1, 2], Inline, PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, static () => false, deferred));
        Assert.Equal(0, deferred.Count);
        Assert.True(_pool.Respond(asyncTask, PoolAccess.SequenceOf(asyncTask), TaskState.Done, 0, [3], Inline, PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, static () => false, deferred));
        Assert.Equal(1, deferred.Count);
        Assert.Equal(TaskState.Done, PoolAccess.StateOf(asyncTask));

        deferred.Flush();
        Assert.Equal(0, deferred.Count);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void Flushing_held_back_wakes_wakes_the_caller_parked_on_the_task()
    {
        var deferred = new DeferredWakes(Tasks);
        byte* task = _pool.EcallTask(2);
        PoolAccess.SetControl(task, TaskState.Accepted);
        int answer = *PoolAccess.AnswerWord(task);
        var caller = new Thread(() => Futex.WaitMicroseconds(PoolAccess.AnswerWord(task), answer, 30_000_000));
        caller.Start();

        // The caller may not be parked yet when a flush comes: flush again until it returns (each flush is a real wake).
        var watch = Stopwatch.StartNew();
        while (!caller.Join(50))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the parked caller was never woken");
            deferred.Add(task);
            deferred.Flush();
        }
    }

    [Fact]
    public void Held_back_wakes_are_issued_before_the_next_task_once_the_oldest_waited_the_delay()
    {
        var deferred = new DeferredWakes(Tasks);
        deferred.Add(_pool.EcallTask(0));
        Thread.Sleep(5);
        deferred.FlushIfOld();
        Assert.Equal(0, deferred.Count);
    }

    [Fact]
    public void Every_worker_is_busy_only_when_none_sleeps_and_as_many_tasks_are_being_served_as_there_are_workers()
    {
        PoolAccess.SetControl(_pool.EcallTask(0), TaskState.Accepted);
        PoolAccess.SetControl(_pool.EcallTask(1), TaskState.Submitted);
        long one = _pool.BusyWorkers(ecalls: true, 1, PoolLayout.OffEnclaveSleepers);
        Assert.NotEqual(0, one);
        Assert.Equal(0, _pool.BusyWorkers(ecalls: true, 2, PoolLayout.OffEnclaveSleepers));
        Assert.Equal(0, _pool.BusyWorkers(ecalls: false, 1, PoolLayout.OffHostSleepers));

        // The worker moved on to another call: a different signature (a queue being served, not a stuck worker).
        PoolAccess.SetControl(_pool.EcallTask(0), TaskState.Free);
        PoolAccess.SetControl(_pool.EcallTask(1), TaskState.More);
        long other = _pool.BusyWorkers(ecalls: true, 1, PoolLayout.OffEnclaveSleepers);
        Assert.NotEqual(0, other);
        Assert.NotEqual(one, other);

        *_pool.Word(PoolLayout.OffEnclaveSleepers) = 1;
        Assert.Equal(0, _pool.BusyWorkers(ecalls: true, 1, PoolLayout.OffEnclaveSleepers));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_caller_gives_up_on_an_unaccepted_task_long_before_the_fallback_timeout_when_every_worker_stays_busy()
    {
        byte* task = _pool.EcallTask(3);
        PoolAccess.SetControl(task, TaskState.Submitted);
        long timeout = SwitchlessPacer.MicrosecondsToTicks(20_000_000);
        var watch = Stopwatch.StartNew();

        int state = PoolAccess.Await(task, new SwitchlessPacer(), 0, int.MaxValue, timeout, 250, static () => false, static () => 42);

        Assert.Equal(TaskState.Submitted, state);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the caller waited {watch.Elapsed.TotalMilliseconds:F0} ms behind busy workers");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_caller_waits_out_the_fallback_timeout_when_the_workers_keep_moving_on_to_other_calls()
    {
        byte* task = _pool.EcallTask(3);
        PoolAccess.SetControl(task, TaskState.Submitted);
        var watch = Stopwatch.StartNew();

        int state = PoolAccess.Await(task, new SwitchlessPacer(), 0, int.MaxValue, SwitchlessPacer.MicrosecondsToTicks(300_000), 250, static () => false, NextSignature);

        Assert.Equal(TaskState.Submitted, state);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"the caller gave up after {watch.Elapsed.TotalMilliseconds:F0} ms, before the 300 ms timeout");
    }

    /// <summary>A worker busy with a different call at every look.</summary>
    private long NextSignature() => ++_signature;
}
