using Threadline.Store.Inbox;

namespace Threadline.Tests.Store;

public sealed class RecentBodiesTests
{
    [Fact]
    public void A_new_body_is_written_by_its_caller_and_an_identical_one_joins_its_commit()
    {
        var recent = new RecentBodies(10);
        var first = new TaskCompletionSource();
        Assert.Null(recent.Join(1, first.Task));
        Assert.Same(first.Task, recent.Join(1, new TaskCompletionSource().Task));
        first.SetResult(); // committed: a later copy is acknowledged at once, with nothing written
        Assert.Same(first.Task, recent.Join(1, new TaskCompletionSource().Task));
        Assert.Null(recent.Join(2, new TaskCompletionSource().Task));
        Assert.Equal(2, recent.Count);
    }

    [Theory, InlineData(true), InlineData(false)]
    public void A_delivery_that_was_not_stored_is_replaced_by_the_next_identical_one(bool failed)
    {
        var recent = new RecentBodies(10);
        var first = new TaskCompletionSource();
        Assert.Null(recent.Join(7, first.Task));
        if (failed) first.SetException(new IOException("disk full"));
        else first.SetCanceled();

        var second = new TaskCompletionSource();
        Assert.Null(recent.Join(7, second.Task)); // written again, not failed with the first
        Assert.Same(second.Task, recent.Join(7, new TaskCompletionSource().Task));
    }

    [Fact]
    public void It_forgets_the_oldest_first_and_never_holds_more_than_its_capacity()
    {
        var recent = new RecentBodies(3);
        for (int i = 1; i <= 5; i++) Assert.Null(recent.Join((UInt128)i, Task.CompletedTask));
        Assert.Equal(3, recent.Count);
        Assert.Null(recent.Join(1, new TaskCompletionSource().Task));   // forgotten: written again
        Assert.NotNull(recent.Join(5, new TaskCompletionSource().Task)); // still remembered
    }

    [Fact]
    public async Task Concurrent_copies_of_one_body_are_written_once()
    {
        var recent = new RecentBodies(1_000);
        int writers = 0;
        await Parallel.ForAsync(0, 10_000, async (i, _) =>
        {
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (recent.Join((UInt128)(i % 100), mine.Task) is null)
            {
                Interlocked.Increment(ref writers);
                mine.SetResult();
            }
            await Task.Yield();
        });
        Assert.Equal(100, writers);
    }
}
