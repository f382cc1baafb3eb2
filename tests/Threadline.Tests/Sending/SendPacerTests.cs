using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Sending;

namespace Threadline.Tests.Sending;

public sealed class SendPacerTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (SendPacer, ManualClock) Pacer(int burst = 3, double interval = 6)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        return (new SendPacer(Options.Create(new OutboxOptions { PairBurst = burst, PairIntervalSeconds = interval }), clock), clock);
    }

    [Fact]
    public void ABurstGoesAtOnce_ThenOneMessagePerInterval()
    {
        var (pacer, clock) = Pacer();
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(pacer.NextAllowed("491701"));
            pacer.Spend("491701");
        }
        Assert.Equal(clock.Now.AddSeconds(6), pacer.NextAllowed("491701"));
        clock.Now = clock.Now.AddSeconds(6);
        Assert.Null(pacer.NextAllowed("491701"));
    }

    [Fact]
    public void OneRecipientsLimit_DoesNotHoldUpAnother()
    {
        var (pacer, _) = Pacer(burst: 1);
        pacer.Spend("491701");
        Assert.NotNull(pacer.NextAllowed("491701"));
        Assert.Null(pacer.NextAllowed("491702"));
    }

    [Fact]
    public void PairRateErrors_BackOffOneFourSixteenSeconds()
    {
        var (pacer, clock) = Pacer();
        Assert.Equal(clock.Now.AddSeconds(1), pacer.BackOff("491701"));
        Assert.Equal(clock.Now.AddSeconds(4), pacer.BackOff("491701"));
        Assert.Equal(clock.Now.AddSeconds(16), pacer.BackOff("491701"));
        Assert.Equal(clock.Now.AddSeconds(16), pacer.NextAllowed("491701"));
        Assert.Null(pacer.NextAllowed("491702"));
    }
}
