namespace SecGear.Switchless;

/// <summary>
/// States of a switchless task (the low half of its control word). The caller owns Free → Claimed → Submitted;
/// a worker owns Submitted → Accepted → Done | Failed; the caller reads the result and sets Free.
/// </summary>
internal static class TaskState
{
    /// <summary>Unused; a caller may claim it.</summary>
    public const int Free = 0;

    /// <summary>A caller is writing its request.</summary>
    public const int Claimed = 1;

    /// <summary>The request is complete; any worker may accept it.</summary>
    public const int Submitted = 2;

    /// <summary>A worker took the task and runs the call.</summary>
    public const int Accepted = 3;

    /// <summary>The call returned; the payload area holds the response.</summary>
    public const int Done = 4;

    /// <summary>The call failed; the payload area holds an error record, the status half says how.</summary>
    public const int Failed = 5;

    /// <summary>Written by the host when the enclave is lost or destroyed: wakes every waiter.</summary>
    public const int Dead = 6;

    /// <summary>
    /// The payload area holds the next chunk of a response longer than a task; the caller copies it out and sets
    /// <see cref="Accepted"/> to ask for the next one (the last chunk comes with <see cref="Done"/>).
    /// </summary>
    public const int More = 7;

    /// <summary>True for the states in which the worker has answered (the caller reads the task).</summary>
    public static bool IsAnswered(int state) => state is Done or Failed or More;
}
