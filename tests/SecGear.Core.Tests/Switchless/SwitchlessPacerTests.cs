using SecGear.Switchless;

namespace SecGear.Core.Tests.Switchless;

public sealed class SwitchlessPacerTests
{
    private static readonly int Empty = SwitchlessPacer.Slot(1, 0);
    private static readonly int Long = SwitchlessPacer.Slot(1, 1);

    private static long Us(long us) => SwitchlessPacer.MicrosecondsToTicks(us);

    [Fact]
    public void Callers_of_a_function_whose_calls_take_long_park_at_once_while_callers_of_a_quick_one_still_spin()
    {
        var pacer = new SwitchlessPacer();
        for (int i = 0; i < 10; i++)
        {
            pacer.ObserveWait(Us(500), Long);
        }

        for (int i = 0; i < 10; i++)
        {
            pacer.ObserveWait(Us(1), Empty);
        }

        long now = SwitchlessPacer.Now;
        Assert.Equal(Us(1), pacer.CallerSpinTicks(now, Long));
        Assert.Equal(Us(SwitchlessPacer.MaxCallerSpinUs), pacer.CallerSpinTicks(now, Empty));
    }

    [Fact]
    public void A_long_call_that_beats_its_regular_form_keeps_the_pool_while_an_empty_call_slower_than_half_a_regular_one_does_not()
    {
        var pacer = new SwitchlessPacer();
        for (int i = 0; i < 8; i++)
        {
            pacer.ObserveRegular(Us(7), Empty);
            pacer.ObserveRegular(Us(20), Long);
        }

        long now = SwitchlessPacer.Now;

        // 15 µs for a call whose regular form takes 20 µs saves more than half the crossing (7 µs): fast.
        for (int i = 0; i < 200; i++)
        {
            pacer.ObserveSwitchless(Us(15), now, Long);
        }

        Assert.Equal(SwitchlessPath.Switchless, pacer.Choose(Long));

        // 5 µs for an empty call whose regular form takes 7 µs saves less than half of it: a few of those are slow.
        for (int i = 0; i < 4; i++)
        {
            pacer.ObserveSwitchless(Us(5), now, Empty);
        }

        Assert.Equal(SwitchlessPath.Slower, pacer.Choose(Empty));
    }

    [Fact]
    public void A_function_measured_slower_goes_the_regular_way_alone_while_the_other_functions_keep_the_pool()
    {
        var pacer = LongCallNoFasterThanItsRegularForm();

        Assert.Equal(SwitchlessPath.Slower, pacer.Choose(Long));
        Assert.Equal(SwitchlessPath.Switchless, pacer.Choose(Empty));
    }

    [Fact]
    public void A_long_call_that_does_not_beat_its_regular_form_is_judged_slow()
    {
        var pacer = LongCallNoFasterThanItsRegularForm();

        Assert.Equal(SwitchlessPath.Slower, pacer.Choose(Long));
    }

    // Regular forms of 7 µs (empty) and 20 µs (long); then long calls of 25 µs through the pool, no faster than regular.
    private static SwitchlessPacer LongCallNoFasterThanItsRegularForm()
    {
        var pacer = new SwitchlessPacer();
        for (int i = 0; i < 8; i++)
        {
            pacer.ObserveRegular(Us(7), Empty);
            pacer.ObserveRegular(Us(20), Long);
        }

        long now = SwitchlessPacer.Now;
        for (int i = 0; i < 4; i++)
        {
            pacer.ObserveSwitchless(Us(25), now, Long);
        }

        return pacer;
    }
}
