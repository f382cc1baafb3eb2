using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// SQLite, where the inbox is a file of its own and the worker's commits to the main store skip their fsync: a row is
/// marked processed only after the main store's log is on disk (else a power cut could leave it marked with its
/// messages gone), it is not processed twice while it waits, and a crash before the mark is one idempotent replay.
/// </summary>
public sealed class ProcessedMarksTests
{
    private const long T0 = 1_760_000_000;

    /// <summary>A server whose own worker is off: the tests run processors of their own, with marks they control.</summary>
    private static async Task<(ThreadlineHost Host, Database Db)> StartAsync()
    {
        var host = await ThreadlineHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Inbox:ProcessingEnabled"] = "false" });
        return (host, host.Services.GetRequiredService<Database>());
    }

    private static ProcessedMarks Marks(ThreadlineHost host, Func<bool> flush, TimeProvider? clock = null) =>
        new(host.Services.GetRequiredService<Database>(), host.Services.GetRequiredService<InboxQueue>(), clock ?? TimeProvider.System, flush);

    private sealed class ManualClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    private static async Task PostThreeAsync(ThreadlineHost host)
    {
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m1", T0, "eins"));
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m2", T0 + 1, "zwei"));
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m3", T0 + 2, "drei"));
    }

    [Fact]
    public async Task Processed_rows_are_marked_only_after_the_main_store_is_flushed_and_are_not_processed_twice_meanwhile()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var atFlush = new List<InboxStats>();
        var marks = Marks(host, () =>
        {
            atFlush.Add(host.Services.GetRequiredService<InboxQueue>().StatsAsync(CancellationToken.None).GetAwaiter().GetResult());
            return host.Services.GetRequiredService<Database>().FlushMainLogToDisk();
        });
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);

        var pass = await processor.ProcessNextAsync(CancellationToken.None);
        Assert.Equal((3, 3), (pass.Rows, pass.Processed));
        // Written and visible, but not yet marked: the main store's log may not be on disk.
        Assert.Equal(["eins", "zwei", "drei"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));
        var waiting = await host.StatsAsync();
        Assert.Equal((0L, 3L), (waiting.Processed, waiting.Pending));
        Assert.Equal(3, marks.Waiting);
        // The worker does not take them again while they wait.
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows);

        Assert.Equal(3, await marks.WriteAsync(CancellationToken.None));
        Assert.Equal(0, Assert.Single(atFlush).Processed); // the flush came first, then the marks
        var marked = await host.StatsAsync();
        Assert.Equal((3L, 0L), (marked.Processed, marked.Pending));
        Assert.Equal(0, marks.Waiting);
        Assert.Equal(0, await marks.WriteAsync(CancellationToken.None)); // nothing left: no flush either
        Assert.Single(atFlush);
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task After_a_failed_flush_nothing_is_marked_processing_stops_and_a_restart_processes_the_rows_again()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var marks = Marks(host, () => throw new IOException("EIO"));
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);
        Assert.Equal(3, (await processor.ProcessNextAsync(CancellationToken.None)).Processed);

        await Assert.ThrowsAsync<IOException>(() => marks.WriteAsync(CancellationToken.None));
        var waiting = await host.StatsAsync();
        Assert.Equal((0L, 3L), (waiting.Processed, waiting.Pending));
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m4", T0 + 3, "vier"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => processor.ProcessNextAsync(CancellationToken.None));
        Assert.Equal(1, (await host.StatsAsync()).Pending - 3); // the new webhook is taken (durable), not processed

        // After a restart (what the process knew in memory is gone) all four are processed and marked.
        var restartedMarks = Marks(host, () => true);
        var restarted = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, restartedMarks);
        Assert.Equal(4, (await restarted.ProcessNextAsync(CancellationToken.None)).Processed);
        Assert.Equal(4, await restartedMarks.WriteAsync(CancellationToken.None));
        var marked = await host.StatsAsync();
        Assert.Equal((4L, 0L), (marked.Processed, marked.Pending));
        Assert.Equal(["eins", "zwei", "drei", "vier"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));
    }

    [Fact]
    public async Task A_crash_before_the_marks_processes_the_rows_again_and_adds_nothing()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var unflushed = Marks(host, () => true);
        await PostThreeAsync(host);
        Assert.Equal(3, (await ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, unflushed).ProcessNextAsync(CancellationToken.None)).Processed);
        var before = await host.MessagesAsync("4917012345678");

        // The process dies before the marks: what it knew in memory is gone, the rows are pending in the inbox.
        var restarted = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, Marks(host, () => true));
        var again = await restarted.ProcessNextAsync(CancellationToken.None);
        Assert.Equal((3, 3), (again.Rows, again.Processed));
        var after = await host.MessagesAsync("4917012345678");
        Assert.Equal(before.Select(m => (m.WaMessageId, m.Text)), after.Select(m => (m.WaMessageId, m.Text)));
        await using var c = await host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(3, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM messages"));
    }

    [Fact]
    public async Task A_row_that_failed_before_is_claimed_again_though_it_lies_before_the_position_and_waits_for_its_mark()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var marks = Marks(host, () => true);
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);
        Assert.Equal(3, (await processor.ProcessNextAsync(CancellationToken.None)).Processed);
        await marks.WriteAsync(CancellationToken.None);
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m4", T0 + 3, "vier"));
        Assert.Equal(1, (await processor.ProcessNextAsync(CancellationToken.None)).Processed); // row 4 waits for its mark
        Assert.Equal(4L, marks.NextClaim().After);

        // Row 2 failed once (attempts > 0) and is due again: claimed through the retries, with the new row 5.
        await using (var inbox = await host.Services.GetRequiredService<Database>().OpenInboxAsync())
            await inbox.ExecuteAsync("UPDATE inbox SET state = 0, attempts = 1, next_attempt_at = 0 WHERE id = 2");
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m5", T0 + 4, "fünf"));
        var pass = await processor.ProcessNextAsync(CancellationToken.None);
        Assert.Equal((2, 2), (pass.Rows, pass.Processed));
        Assert.True(marks.Unmarked(2));
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows); // 2, 4 and 5 wait: none taken again
        Assert.Equal(3, await marks.WriteAsync(CancellationToken.None));
        var stats = await host.StatsAsync();
        Assert.Equal((5L, 5L, 0L), (stats.Received, stats.Processed, stats.Pending));
    }

    [Fact]
    public async Task A_claim_from_the_first_pending_row_reads_past_the_rows_waiting_for_their_marks()
    {
        var host = await ThreadlineHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Inbox:ProcessingEnabled"] = "false", ["Inbox:BatchSize"] = "2" });
        await using var _ = host;
        var clock = new ManualClock();
        var marks = Marks(host, () => true, clock);
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);
        Assert.Equal(2, (await processor.ProcessNextAsync(CancellationToken.None)).Processed); // rows 1 and 2 wait for their marks

        // The every-30-seconds claim from the first pending row: rows 1 and 2 come first but must not fill the batch.
        clock.Ticks += ProcessedMarks.FullClaimEvery.Ticks;
        var pass = await processor.ProcessNextAsync(CancellationToken.None);
        Assert.Equal((1, 1), (pass.Rows, pass.Processed));
        Assert.Equal(["eins", "zwei", "drei"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows);
        Assert.Equal(3, await marks.WriteAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Stopping_the_server_marks_what_its_worker_processed_last()
    {
        // Checkpointer passes a minute apart: after its first pass, only the stop can write the marks.
        await using var host = await ThreadlineHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Storage:CheckpointIntervalMs"] = "60000" });
        await PostThreeAsync(host);
        while ((await host.MessagesAsync("4917012345678")).Count < 3) await Task.Delay(5);
        var marks = host.Services.GetRequiredService<ProcessedMarks>();
        // Should the checkpointer's first pass have come late and marked them, one more message waits for its mark.
        for (int more = 4; marks.Waiting == 0 && more < 8; more++)
        {
            await host.PostWebhookAsync(Payloads.Text("4917012345678", $"wamid.m{more}", T0 + more, "noch eine"));
            while ((await host.MessagesAsync("4917012345678")).Count < more) await Task.Delay(5);
        }
        Assert.True(marks.Waiting > 0);
        Assert.Equal(marks.Waiting, (await host.StatsAsync()).Pending);

        await host.StopAsync();
        Assert.Equal(0, marks.Waiting);
        await using var c = await host.Services.GetRequiredService<Database>().OpenInboxAsync();
        Assert.Equal(0, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 0"));
    }

    [Fact]
    public async Task Flushing_the_main_log_needs_a_log_and_is_SQLite_only()
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "t.db")}" });
            Assert.False(db.FlushMainLogToDisk()); // no log yet
            await using (var c = await db.OpenAsync())
            {
                await c.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
                // Closing a second handle on a file drops every POSIX lock this process holds on it. Inside a read
                // transaction SQLite holds such locks (on the database and -shm files): the flush must leave them all.
                await using var read = await c.BeginTransactionAsync();
                Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM t", transaction: read));
                string file = Path.Combine(directory, "t.db");
                var held = OwnPosixLocks(file, file + "-shm");
                Assert.NotEmpty(held);
                Assert.True(db.FlushMainLogToDisk());
                Assert.True(db.FlushMainLogToDisk()); // the second time without the directory
                Assert.Equal(held, OwnPosixLocks(file, file + "-shm"));
            }
            db.CloseIdleConnections();
            Assert.False(new Database(new StorageOptions { Provider = "postgres", ConnectionString = "Host=unused" }).FlushMainLogToDisk());
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>This process's POSIX locks on <paramref name="files"/> as the kernel lists them (type, inode, range): other
    /// tests in this process take and drop locks on files of their own meanwhile.</summary>
    private static List<string> OwnPosixLocks(params string[] files)
    {
        // The files' inodes, from the descriptors this process has open on them (/proc/self/fdinfo has "ino:").
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            string? target;
            try { target = new FileInfo(fd).LinkTarget; } catch (IOException) { continue; }
            if (target is null || !files.Contains(target)) continue;
            string? ino = File.ReadAllLines("/proc/self/fdinfo/" + Path.GetFileName(fd)).FirstOrDefault(l => l.StartsWith("ino:", StringComparison.Ordinal));
            if (ino is not null) inodes.Add(ino["ino:".Length..].Trim());
        }
        Assert.NotEmpty(inodes);
        return [.. File.ReadAllLines("/proc/locks")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 8 && f[1] == "POSIX" && f[4] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && inodes.Contains(f[5][(f[5].LastIndexOf(':') + 1)..]))
            .Select(f => string.Join(' ', f[3], f[5], f[6], f[7]))
            .Order()];
    }
}
