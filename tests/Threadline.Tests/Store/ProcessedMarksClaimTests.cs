using Threadline.Store;
using Threadline.Store.Inbox;

namespace Threadline.Tests.Store;

/// <summary>Where the worker's claims start while processed rows wait for their marks (<see cref="ProcessedMarks.NextClaim"/>).
/// No store is touched: nothing here writes marks.</summary>
public sealed class ProcessedMarksClaimTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private static (ProcessedMarks, ManualClock) Marks(Func<bool>? flush = null)
    {
        var clock = new ManualClock();
        var db = new Database(new StorageOptions { ConnectionString = "Data Source=/nonexistent/threadline.db" });
        return (new ProcessedMarks(db, new InboxQueue(db), clock, flush ?? (() => true)), clock);
    }

    [Fact]
    public void With_nothing_waiting_a_claim_starts_from_the_first_pending_row()
    {
        var (marks, _) = Marks();
        Assert.Equal((0L, 0), (marks.NextClaim().After, marks.NextClaim().Skip.Count));
        marks.Processed([], 40);
        Assert.Equal(0L, marks.NextClaim().After); // nothing waits: a row set back to pending by hand is found
    }

    [Fact]
    public void While_rows_wait_claims_start_after_the_last_finished_claim_and_skip_them()
    {
        var (marks, _) = Marks();
        marks.Processed([3, 4, 5], 5);
        marks.Processed([7, 8], 0); // a claim not finished: the position stays
        var (after, skip) = marks.NextClaim();
        Assert.Equal(5L, after);
        Assert.Equal([3L, 4, 5, 7, 8], skip.Order());
        Assert.True(marks.Unmarked(7));
        Assert.False(marks.Unmarked(6));
        Assert.Equal(5, marks.Waiting);
    }

    [Fact]
    public void The_skip_set_is_a_snapshot_taken_before_the_claim()
    {
        var (marks, _) = Marks();
        marks.Processed([1, 2], 2);
        var (_, skip) = marks.NextClaim();
        marks.Processed([3], 3);
        Assert.DoesNotContain(3L, skip);
    }

    [Fact]
    public void Every_30_seconds_a_claim_starts_from_the_first_pending_row_even_while_rows_wait()
    {
        var (marks, clock) = Marks();
        marks.Processed([10, 11], 11);
        Assert.Equal(11L, marks.NextClaim().After);
        clock.Advance(ProcessedMarks.FullClaimEvery - TimeSpan.FromSeconds(1));
        Assert.Equal(11L, marks.NextClaim().After);
        clock.Advance(TimeSpan.FromSeconds(1));
        var (after, skip) = marks.NextClaim();
        Assert.Equal(0L, after);
        Assert.Equal([10L, 11], skip.Order()); // still skipped
        Assert.Equal(11L, marks.NextClaim().After); // then back to the position for another 30 s
    }

    [Fact]
    public async Task A_failed_flush_stops_the_marks_for_good_and_marks_nothing()
    {
        int flushes = 0;
        var (marks, _) = Marks(() => ++flushes == 1 ? throw new IOException("EIO") : true);
        marks.Processed([1, 2], 2);
        await Assert.ThrowsAsync<IOException>(() => marks.WriteAsync(CancellationToken.None));
        Assert.IsType<IOException>(marks.FlushFailed);
        // A retried fsync after a failed one can report success for pages Linux dropped: never mark on it.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => marks.WriteAsync(CancellationToken.None));
        Assert.IsType<IOException>(refused.InnerException);
        Assert.Equal(1, flushes);
        Assert.Equal(2, marks.Waiting);
    }
}

/// <summary>/healthz says so once inbox processing stopped after a failed flush of the main store's log.</summary>
public sealed class StoreHealthAfterFailedFlushTests
{
    [Fact]
    public async Task Health_is_degraded_with_the_reason_after_a_failed_flush()
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "t.db")}" });
            var marks = new ProcessedMarks(db, new InboxQueue(db), TimeProvider.System, () => throw new IOException("EIO"));
            var check = new StoreHealthCheck(db, marks);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await check.CheckHealthAsync(new())).Status);

            marks.Processed([1], 1);
            await Assert.ThrowsAsync<IOException>(() => marks.WriteAsync(CancellationToken.None));
            var health = await check.CheckHealthAsync(new());
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Status);
            Assert.Contains("could not be forced to disk", health.Description);
            db.CloseIdleConnections();
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
