using Threadline.Workers;

namespace Threadline.Tests.Workers;

/// <summary>When the inbox worker leaves the CPU to the webhook endpoint, and when it must not.</summary>
public sealed class InboxWorkerRestTests
{
    private static readonly TimeSpan Pass = TimeSpan.FromMilliseconds(120);

    [Fact]
    public void Rests_half_its_pass_while_webhooks_arrive_and_it_keeps_up() =>
        Assert.Equal(TimeSpan.FromMilliseconds(60), InboxWorker.RestAfter(Pass, rows: 600, batchSize: 1024, webhooksArrived: true, yieldToIngest: 0.5));

    [Fact]
    public void Does_not_rest_after_a_full_batch_because_more_was_waiting() =>
        Assert.Equal(TimeSpan.Zero, InboxWorker.RestAfter(Pass, rows: 1024, batchSize: 1024, webhooksArrived: true, yieldToIngest: 0.5));

    [Fact]
    public void Rests_after_a_full_batch_too_while_the_backlog_is_under_the_bound() =>
        Assert.Equal(TimeSpan.FromMilliseconds(60), InboxWorker.RestAfter(Pass, rows: 1024, batchSize: 1024, webhooksArrived: true, yieldToIngest: 0.5, backlog: 9_999, yieldUntilBacklog: 10_000));

    [Fact]
    public void Does_not_rest_after_a_full_batch_once_the_backlog_reaches_the_bound() =>
        Assert.Equal(TimeSpan.Zero, InboxWorker.RestAfter(Pass, rows: 1024, batchSize: 1024, webhooksArrived: true, yieldToIngest: 0.5, backlog: 10_000, yieldUntilBacklog: 10_000));

    [Fact]
    public void Does_not_rest_when_nothing_arrived_meanwhile() =>
        Assert.Equal(TimeSpan.Zero, InboxWorker.RestAfter(Pass, rows: 600, batchSize: 1024, webhooksArrived: false, yieldToIngest: 0.5));

    [Fact]
    public void Never_rests_when_yielding_is_off() =>
        Assert.Equal(TimeSpan.Zero, InboxWorker.RestAfter(Pass, rows: 1, batchSize: 1024, webhooksArrived: true, yieldToIngest: 0));

    [Fact]
    public void Under_sustained_load_the_backlog_stays_within_about_a_batch()
    {
        // A worker that processes 6,000 rows/s of its own time, 5,000 arriving per second: with a rest after every pass
        // it could do only 4,000/s and would fall behind for as long as the load lasts; resting only while it keeps up,
        // the backlog never grows past what one batch and one pass's arrivals hold.
        const double arriving = 5_000, speed = 6_000;
        const int batch = 1024;
        double backlog = 0, largest = 0;
        for (int pass = 0; pass < 2_000; pass++)
        {
            int rows = (int)Math.Min(batch, Math.Max(1, backlog));
            var took = TimeSpan.FromSeconds(rows / speed);
            var rest = InboxWorker.RestAfter(took, rows, batch, webhooksArrived: true, yieldToIngest: 0.5);
            backlog = backlog - rows + arriving * (took + rest).TotalSeconds;
            largest = Math.Max(largest, backlog);
        }
        Assert.InRange(largest, 0, 2 * batch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    [InlineData(50_000)]
    public void Under_sustained_load_the_backlog_stays_within_the_bound_and_a_batch(int bound)
    {
        // As above, with rests after full batches while fewer than the bound wait: the backlog climbs to the bound and
        // stays there, whatever the bound; with the rests but no bound (the rule before the fifth session) it grows on.
        const double arriving = 5_000, speed = 6_000;
        const int batch = 1024;
        double Largest(Func<double, int, TimeSpan, TimeSpan> restAfter)
        {
            double backlog = 0, largest = 0;
            for (int pass = 0; pass < 20_000; pass++)
            {
                int rows = (int)Math.Min(batch, Math.Max(1, backlog));
                var took = TimeSpan.FromSeconds(rows / speed);
                backlog = backlog - rows + arriving * (took + restAfter(backlog - rows, rows, took)).TotalSeconds;
                largest = Math.Max(largest, backlog);
            }
            return largest;
        }
        double bounded = Largest((left, rows, took) => InboxWorker.RestAfter(took, rows, batch, webhooksArrived: true, yieldToIngest: 0.5, backlog: (long)left, yieldUntilBacklog: bound));
        Assert.InRange(bounded, 0, bound + 2 * batch);
        double unbounded = Largest((left, rows, took) => InboxWorker.RestAfter(took, rows, batch, webhooksArrived: true, yieldToIngest: 0.5, backlog: (long)left, yieldUntilBacklog: int.MaxValue));
        Assert.True(unbounded > 100_000, $"without a bound the backlog grows: {unbounded:N0}");
    }
}
