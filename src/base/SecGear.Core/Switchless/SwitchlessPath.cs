namespace SecGear.Switchless;

/// <summary>The path <see cref="SwitchlessPacer.Choose"/> picks for a switchless call.</summary>
internal enum SwitchlessPath
{
    /// <summary>Through the pool.</summary>
    Switchless,

    /// <summary>Regular: a recent call was not accepted within the fallback timeout.</summary>
    Backoff,

    /// <summary>Regular: switchless calls measured slower than regular ones recently.</summary>
    Slower,

    /// <summary>Regular, to measure the regular path now and then.</summary>
    Sampling,
}
