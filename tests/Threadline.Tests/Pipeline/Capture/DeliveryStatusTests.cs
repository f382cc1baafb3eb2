using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Capture;

namespace Threadline.Tests.Pipeline.Capture;

public class DeliveryStatusTests
{
    private static readonly string[] Known = ["sent", "delivered", "read", "played", "failed"];

    [Theory]
    [InlineData(null, "sent", true)]
    [InlineData("sent", "delivered", true)]
    [InlineData("delivered", "read", true)]
    [InlineData("sent", "read", true)]          // read may come without delivered
    [InlineData("read", "delivered", false)]    // a late delivered never overwrites read
    [InlineData("delivered", "sent", false)]
    [InlineData("read", "played", true)]
    [InlineData("failed", "delivered", false)]  // nothing pulls a message out of failed
    [InlineData("failed", "read", false)]
    [InlineData("delivered", "failed", true)]
    [InlineData("read", "read", false)]
    [InlineData("sent", "deleted_by_meta", false)] // unknown statuses are logged, never applied
    public void Advances_FollowsTheForwardOnlyOrder(string? current, string next, bool expected) =>
        Assert.Equal(expected, DeliveryStatus.Advances(current, next));

    [Fact]
    public void ApplyingStatusesInAnyOrder_EndsAtTheHighestRank()
    {
        // Property: whatever order (and duplication) WhatsApp delivers statuses in, the result is the same.
        Prop.ForAll(Gen.Elements(Known).ListOf().Where(l => l.Count > 0).ToArbitrary(), statuses =>
        {
            string? current = null;
            foreach (var s in statuses)
                if (DeliveryStatus.Advances(current, s)) current = s;
            return current == statuses.MaxBy(DeliveryStatus.Rank);
        }).QuickCheckThrowOnFailure();
    }
}
