using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// The SQLite write-ahead log is copied into the database by the background checkpointer, not inside commits, and
/// starts over once full; nothing is lost on the way. Real SQLite files (PostgreSQL checkpoints on its own: there the
/// checkpointer does nothing, which is tested too).
/// </summary>
public sealed class WalCheckpointerTests : ScratchDirectory
{
    private const int Pages = 256;
    private Database _db = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(Directory, "threadline.db")}", WalCheckpointPages = Pages });
        foreach (var open in new Func<Task<DbConnection>>[] { () => _db.OpenAsync(), () => _db.OpenInboxAsync() })
        {
            await using var c = await open();
            await c.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL);");
        }
        await KeepOpenAsync(Path.Combine(Directory, "threadline.db"));
        await KeepOpenAsync(Path.Combine(Directory, "threadline.inbox.db"));
    }

    private WalCheckpointer Checkpointer() => new(_db, new ProcessedMarks(_db, new InboxQueue(_db), TimeProvider.System), TimeProvider.System, NullLogger<WalCheckpointer>.Instance);

    private string WalFile => Path.Combine(Directory, "threadline.db-wal");
    private string InboxWalFile => Path.Combine(Directory, "threadline.inbox.db-wal");

    private Task WriteAsync(int first, int rows, bool inbox = false) => Blobs.WriteAsync(_db, first, rows, inbox);

    private async Task<long> AutoCheckpointAsync()
    {
        await using var c = await _db.OpenAsync();
        return await c.QuerySingleAsync<long>("PRAGMA wal_autocheckpoint");
    }

    [Fact]
    public async Task Without_the_checkpointer_connections_checkpoint_as_SQLite_does_by_default()
    {
        // The CLI's own commands run without the server's services: SQLite's default applies.
        Assert.False(_db.BackgroundCheckpoints);
        Assert.Equal(1000, await AutoCheckpointAsync());
    }

    [Theory]
    [InlineData(true)]   // paced (PacedCheckpoint, the default on Linux)
    [InlineData(false)]  // SQLite's own PASSIVE checkpoint (elsewhere, or Storage:PacedCheckpoints=false)
    public async Task Commits_leave_the_log_to_the_checkpointer_which_copies_it_and_has_it_start_over_once_full(bool paced)
    {
        if (!paced)
            _db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(Directory, "threadline.db")}", WalCheckpointPages = Pages, PacedCheckpoints = false });
        _db.UseBackgroundCheckpoints(); // what starting the checkpointer does; its passes are run one by one here
        Assert.True(_db.BackgroundCheckpoints);
        Assert.Equal(4 * Pages, await AutoCheckpointAsync());

        var checkpointer = Checkpointer();
        // Below the threshold: everything is copied, the log keeps growing (no write was made to wait).
        await WriteAsync(0, 100);
        var small = await checkpointer.PassAsync(CancellationToken.None);
        Assert.False(small.StartOver);
        Assert.InRange(small.LogPages, 100, Pages - 1);
        Assert.Equal(small.LogPages, small.CopiedPages);

        // Past it: the pass catches up under the write turn...
        await WriteAsync(100, 300);
        var full = await checkpointer.PassAsync(CancellationToken.None);
        Assert.True(full.StartOver);
        Assert.True(full.LogPages >= Pages, $"log {full.LogPages}");
        Assert.Equal(full.LogPages, full.CopiedPages);
        long walBytes = new FileInfo(WalFile).Length;

        // ...so the next write starts the log over from its beginning: the log is short again and the file did not grow.
        await WriteAsync(400, 16);
        var after = await checkpointer.PassAsync(CancellationToken.None);
        Assert.False(after.StartOver);
        Assert.InRange(after.LogPages, 1, 40);
        Assert.True(new FileInfo(WalFile).Length <= walBytes, "the log file grew instead of starting over");

        // Nothing was lost on the way, also for a connection that reads the database file alone.
        await using var c = await _db.OpenAsync();
        Assert.Equal(416, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM blobs"));
        Assert.Equal(Enumerable.Range(0, 416).Select(i => (long)i), await c.QueryAsync<long>("SELECT id FROM blobs ORDER BY id"));
    }

    [Fact]
    public async Task The_inbox_stores_log_is_checkpointed_the_same_way_so_webhook_commits_never_copy_it_themselves()
    {
        _db.UseBackgroundCheckpoints();
        await using (var c = await _db.OpenInboxAsync())
            Assert.Equal(4 * Pages, await c.QuerySingleAsync<long>("PRAGMA wal_autocheckpoint"));

        var checkpointer = Checkpointer();
        await WriteAsync(0, 400, inbox: true);   // durable commits (synchronous=FULL), as the webhook endpoint's
        var full = await checkpointer.InboxPassAsync(CancellationToken.None);
        Assert.True(full.StartOver);
        Assert.Equal(full.LogPages, full.CopiedPages);
        long walBytes = new FileInfo(InboxWalFile).Length;
        Assert.False((await checkpointer.MainPassAsync(CancellationToken.None)).StartOver);   // the main store's log is its own

        await WriteAsync(400, 16, inbox: true);
        await checkpointer.PassAsync(CancellationToken.None);   // a whole pass covers both stores
        Assert.InRange((await checkpointer.InboxPassAsync(CancellationToken.None)).LogPages, 1, 40);
        Assert.True(new FileInfo(InboxWalFile).Length <= walBytes, "the inbox log file grew instead of starting over");
        await using var r = await _db.OpenInboxAsync();
        Assert.Equal(Enumerable.Range(0, 416).Select(i => (long)i), await r.QueryAsync<long>("SELECT id FROM blobs ORDER BY id"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_reader_on_an_old_snapshot_is_never_blocked_and_the_log_starts_over_after_it_finished(bool paced)
    {
        if (!paced)
            _db = new Database(new StorageOptions { ConnectionString = $"Data Source={Path.Combine(Directory, "threadline.db")}", WalCheckpointPages = Pages, PacedCheckpoints = false });
        _db.UseBackgroundCheckpoints();
        var checkpointer = Checkpointer();
        await WriteAsync(0, 64);

        // A reader holds a snapshot that needs the log while more is written.
        await using var reader = await _db.OpenAsync();
        await using var snapshot = ((Microsoft.Data.Sqlite.SqliteConnection)reader).BeginTransaction(deferred: true);
        Assert.Equal(64, await reader.QuerySingleAsync<long>("SELECT COUNT(*) FROM blobs", transaction: snapshot));
        await WriteAsync(64, 400);

        var pass = await checkpointer.PassAsync(CancellationToken.None);
        Assert.True(pass.StartOver);
        Assert.True(pass.CopiedPages < pass.LogPages, "pages the reader may still need must stay in the log"); // PASSIVE: copied what it could, waited for no one
        Assert.Equal(64, await reader.QuerySingleAsync<long>("SELECT COUNT(*) FROM blobs", transaction: snapshot));
        await snapshot.CommitAsync();

        // The reader is gone: the next passes catch up, and the log starts over.
        await checkpointer.PassAsync(CancellationToken.None);
        await WriteAsync(464, 16);
        var after = await checkpointer.PassAsync(CancellationToken.None);
        Assert.InRange(after.LogPages, 1, 40);
        await using var c = await _db.OpenAsync();
        Assert.Equal(480, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM blobs"));
    }

    [Fact]
    public async Task Starting_the_checkpointer_marks_the_store_before_the_workers_open_connections()
    {
        var checkpointer = Checkpointer();
        await checkpointer.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(_db.BackgroundCheckpoints);
            Assert.Equal(4 * Pages, await AutoCheckpointAsync());
        }
        finally
        {
            await checkpointer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task On_PostgreSQL_the_checkpointer_stays_out_of_the_way()
    {
        var settings = await TestDatabases.CreateAsync(StoreKind.Postgres, Directory);
        var db = new Database(new StorageOptions { Provider = "postgres", ConnectionString = settings["Storage:ConnectionString"] });
        var checkpointer = new WalCheckpointer(db, new ProcessedMarks(db, new InboxQueue(db), TimeProvider.System), TimeProvider.System, NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(CancellationToken.None);
        await checkpointer.StopAsync(CancellationToken.None);
        Assert.False(db.BackgroundCheckpoints);
    }
}
