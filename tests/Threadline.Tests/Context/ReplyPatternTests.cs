using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Context;

namespace Threadline.Tests.Context;

/// <summary>Median and quartiles of a contact's reply delays (linear interpolation between order statistics).</summary>
public class ReplyPatternTests
{
    [Fact]
    public void Of_NoSamples_HasNoMedian()
    {
        var p = ReplyPattern.Of([]);
        Assert.Equal(0, p.Samples);
        Assert.Null(p.Median);
        Assert.Null(p.P25);
        Assert.Null(p.P75);
    }

    [Fact]
    public void Of_OneSample_AllQuantilesAreIt()
    {
        var p = ReplyPattern.Of([600]);
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10)), (p.P25!.Value, p.Median!.Value, p.P75!.Value));
    }

    [Fact]
    public void Of_OddCount_MedianIsMiddleValue()
    {
        var p = ReplyPattern.Of([300, 100, 200]);
        Assert.Equal(3, p.Samples);
        Assert.Equal(TimeSpan.FromSeconds(200), p.Median);
        Assert.Equal(TimeSpan.FromSeconds(150), p.P25);
        Assert.Equal(TimeSpan.FromSeconds(250), p.P75);
    }

    [Fact]
    public void Of_EvenCount_InterpolatesBetweenMiddleValues()
    {
        var p = ReplyPattern.Of([240, 60, 180, 120]);
        Assert.Equal(TimeSpan.FromSeconds(150), p.Median);
        Assert.Equal(TimeSpan.FromSeconds(105), p.P25);
        Assert.Equal(TimeSpan.FromSeconds(195), p.P75);
    }

    [Fact]
    public void Of_OneOutlier_DoesNotMoveMedianMuch()
    {
        var p = ReplyPattern.Of([3600, 3600, 3700, 3500, 864000]);
        Assert.Equal(TimeSpan.FromHours(1), p.Median);
    }

    [Fact]
    public void Of_AnySamples_QuartilesAreOrderedAndWithinRange()
    {
        var samples = Gen.Choose(0, 14 * 24 * 3600).Select(x => (long)x).NonEmptyListOf().ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(samples, xs =>
        {
            var p = ReplyPattern.Of(xs.ToList());
            var min = TimeSpan.FromSeconds(xs.Min());
            var max = TimeSpan.FromSeconds(xs.Max());
            return p.Samples == xs.Count && min <= p.P25 && p.P25 <= p.Median && p.Median <= p.P75 && p.P75 <= max;
        }));
    }
}
