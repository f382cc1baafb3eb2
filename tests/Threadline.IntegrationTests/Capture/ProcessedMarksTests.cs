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

    private static ProcessedMarks Marks(ThreadlineHost host, Func<bool> flush) =>
        new(host.Services.GetRequiredService<Database>(), host.Services.GetRequiredService<InboxQueue>(), TimeProvider.System, flush);

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
    public async Task A_failed_flush_marks_nothing_and_the_rows_wait_for_the_next_pass()
    {
        bool diskFails = true;
        var (host, _) = await StartAsync();
        await using var _ = host;
        var marks = Marks(host, () => diskFails ? throw new IOException("EIO") : true);
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);
        Assert.Equal(3, (await processor.ProcessNextAsync(CancellationToken.None)).Processed);

        await Assert.ThrowsAsync<IOException>(() => marks.WriteAsync(CancellationToken.None));
        var waiting = await host.StatsAsync();
        Assert.Equal((0L, 3L), (waiting.Processed, waiting.Pending));
        Assert.Equal(3, marks.Waiting);
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows);

        diskFails = false;
        Assert.Equal(3, await marks.WriteAsync(CancellationToken.None));
        var marked = await host.StatsAsync();
        Assert.Equal((3L, 0L), (marked.Processed, marked.Pending));
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
    public async Task A_row_that_failed_before_and_now_succeeds_waits_for_its_mark_like_the_others()
    {
        var (host, _) = await StartAsync();
        await using var _ = host;
        var marks = Marks(host, () => true);
        var processor = ActivatorUtilities.CreateInstance<InboxProcessor>(host.Services, marks);
        await PostThreeAsync(host);
        Assert.Equal(3, (await processor.ProcessNextAsync(CancellationToken.None)).Processed);
        await marks.WriteAsync(CancellationToken.None);

        // A row that failed once (attempts > 0) and is due again is claimed though it lies before the worker's position.
        await using (var inbox = await host.Services.GetRequiredService<Database>().OpenInboxAsync())
            await inbox.ExecuteAsync("UPDATE inbox SET state = 0, attempts = 1, next_attempt_at = 0 WHERE id = 2");
        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m4", T0 + 3, "vier"));
        var pass = await processor.ProcessNextAsync(CancellationToken.None);
        Assert.Equal((2, 2), (pass.Rows, pass.Processed));
        Assert.True(marks.Unmarked(2));
        Assert.Equal(0, (await processor.ProcessNextAsync(CancellationToken.None)).Rows);
        Assert.Equal(2, await marks.WriteAsync(CancellationToken.None));
        var stats = await host.StatsAsync();
        Assert.Equal((4L, 4L, 0L), (stats.Received, stats.Processed, stats.Pending));
    }

    [Fact]
    public async Task The_running_server_marks_what_its_worker_processed_and_leaves_nothing_pending_when_it_stops()
    {
        await using var host = await ThreadlineHost.StartAsync(StoreKind.Sqlite);
        await PostThreeAsync(host);
        var stats = await host.WaitForProcessingAsync();
        Assert.Equal((3L, 3L), (stats.Received, stats.Processed));

        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.m4", T0 + 3, "vier"));
        var db = host.Services.GetRequiredService<Database>();
        var marks = host.Services.GetRequiredService<ProcessedMarks>();
        // Stop as soon as the message is processed, marked or not: stopping writes the marks that are left.
        while ((await host.MessagesAsync("4917012345678")).Count < 4) await Task.Delay(5);
        await host.StopAsync();
        Assert.Equal(0, marks.Waiting);
        await using var c = await db.OpenInboxAsync();
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
                Assert.True(db.FlushMainLogToDisk());
                Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM t")); // SQLite's own handles unharmed
                await c.ExecuteAsync("INSERT INTO t VALUES (2)");
            }
            db.CloseIdleConnections();
            Assert.False(new Database(new StorageOptions { Provider = "postgres", ConnectionString = "Host=unused" }).FlushMainLogToDisk());
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
