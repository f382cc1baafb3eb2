using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>1, 4, 16, 64 s … (×4), capped at 15 minutes, per section 8.</summary>
public class PairBackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 4)]
    [InlineData(3, 16)]
    [InlineData(4, 64)]
    [InlineData(5, 256)]
    [InlineData(6, 900)] // 1024 s would exceed the cap
    [InlineData(7, 900)]
    [InlineData(int.MaxValue, 900)]
    public void Delay_QuadruplesUpToFifteenMinutes(int consecutive, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), PairBackoff.Delay(consecutive));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Delay_BeforeAnyFailure_Throws(int consecutive) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PairBackoff.Delay(consecutive));
}
