using System.Buffers.Binary;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// The paced checkpoint (<see cref="PacedCheckpoint"/>) on real SQLite files: it copies the whole log into the database
/// file and syncs it, in slices; and while the file is not yet synced, no write can start the log over, so a power cut
/// at any point leaves every copied frame in the synced log.
/// </summary>
public sealed class PacedCheckpointTests : BlobStoreTests
{
    private Task WriteAsync(int first, int rows) => Blobs.WriteAsync(Db, first, rows);

    /// <summary>The log's salts (bytes 16–23 of its header): SQLite draws new ones each time the log starts over.</summary>
    private ulong WalSalts()
    {
        using var f = new FileStream(WalFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[32];
        f.ReadExactly(header);
        return BinaryPrimitives.ReadUInt64BigEndian(header[16..]);
    }

    [Fact]
    public async Task The_descriptor_is_the_database_file_of_the_connection_itself()
    {
        await using var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        await c.OpenAsync();
        await c.ExecuteScalarAsync("SELECT COUNT(*) FROM sqlite_master");
        var fd = PacedCheckpoint.DatabaseFileDescriptor(c);
        Assert.NotNull(fd);
        Assert.Equal(Path.GetFullPath(DatabaseFile), new FileInfo($"/proc/self/fd/{fd}").LinkTarget);

        // Reached through a symbolic link to its folder, it is still recognised as the same file.
        string link = Path.Combine(Directory, "linked");
        System.IO.Directory.CreateSymbolicLink(link, Directory);
        await using var viaLink = new SqliteConnection($"Data Source={Path.Combine(link, "threadline.db")};Pooling=False");
        await viaLink.OpenAsync();
        await viaLink.ExecuteScalarAsync("SELECT COUNT(*) FROM sqlite_master");
        Assert.NotNull(PacedCheckpoint.DatabaseFileDescriptor(viaLink));
    }

    [Fact]
    public async Task A_pass_copies_the_whole_log_into_the_database_file_in_slices_so_the_file_alone_holds_everything()
    {
        await WriteAsync(0, 400);
        await using var paced = await PacedCheckpoint.TryOpenAsync(Db, inbox: false, CancellationToken.None);
        Assert.NotNull(paced);
        using var recorder = new Threadline.Bench.StoreMetricsRecorder();
        recorder.Start();
        var pass = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 16, TimeProvider.System, CancellationToken.None);
        // The copy and the slices are measured (what bench ingest reports; other tests' passes may be measured too).
        var measured = recorder.Stop();
        Assert.NotEmpty(measured.MainCopies);
        Assert.True(measured.MainSlices.Count >= pass.FlushSlices);
        Assert.InRange(pass.LogPages, 400, 1_000);
        Assert.Equal(pass.LogPages, pass.CopiedPages);
        Assert.InRange(pass.FlushSlices, 2, 1_024);

        // A copy of the database file without its log (what a reader sees once the log is gone) has every row.
        string copy = Path.Combine(Directory, "copy.db");
        File.Copy(DatabaseFile, copy);
        await using var alone = new SqliteConnection($"Data Source={copy};Pooling=False");
        await alone.OpenAsync();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), await alone.QueryAsync<long>("SELECT id FROM blobs ORDER BY id"));

        // Nothing new: the next pass writes nothing out.
        var again = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 16, TimeProvider.System, CancellationToken.None);
        Assert.Equal(0, again.FlushSlices);
    }

    [Fact]
    public async Task While_the_database_file_is_written_out_no_write_can_start_the_log_over_and_afterwards_the_next_one_does()
    {
        await WriteAsync(0, 200);
        long walBefore = new FileInfo(WalFile).Length;
        ulong salts = WalSalts();
        await using var paced = await PacedCheckpoint.TryOpenAsync(Db, inbox: false, CancellationToken.None);
        Assert.NotNull(paced);

        // One page per slice over two seconds: the pass is still writing the file out while the writes below commit.
        var pass = paced.RunAsync(TimeSpan.FromSeconds(2), pagesPerSlice: 1, TimeProvider.System, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(pass.IsCompleted, "the pass ended before the writes; make it slower");
        await WriteAsync(200, 48);
        Assert.False(pass.IsCompleted, "the pass ended during the writes; make it slower");
        // Everything was copied (nothing else read), yet the log was not started over: the writes were appended.
        Assert.Equal(salts, WalSalts());
        Assert.True(new FileInfo(WalFile).Length > walBefore, "the writes did not append to the log");
        var first = await pass;
        Assert.Equal(first.LogPages, first.CopiedPages);

        // The second pass copies the appended writes; nobody reads the log any more, so the next write starts it over.
        var second = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 64, TimeProvider.System, CancellationToken.None);
        Assert.Equal(second.LogPages, second.CopiedPages);
        await WriteAsync(248, 16);
        Assert.NotEqual(salts, WalSalts());

        await using var c = await Db.OpenAsync();
        Assert.Equal(Enumerable.Range(0, 264).Select(i => (long)i), await c.QueryAsync<long>("SELECT id FROM blobs ORDER BY id"));
    }

    [Fact]
    public async Task After_the_log_started_over_a_pass_writes_out_everything_it_copied_whatever_the_counts_say()
    {
        await using var paced = await PacedCheckpoint.TryOpenAsync(Db, inbox: false, CancellationToken.None);
        Assert.NotNull(paced);
        await WriteAsync(0, 32);
        var first = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 1, TimeProvider.System, CancellationToken.None);
        ulong salts = WalSalts();

        // The next write starts the log over; it ends up longer than before, so SQLite's counts alone (more frames
        // copied than last time) would pass for "only the difference is new".
        await WriteAsync(32, 64);
        Assert.NotEqual(salts, WalSalts());
        var second = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 1, TimeProvider.System, CancellationToken.None);
        Assert.True(second.CopiedPages > first.CopiedPages, $"{first} then {second}");
        Assert.Equal(second.CopiedPages, second.FlushSlices);   // one slice per copied page: all of them were new
    }

    [Fact]
    public async Task A_pass_cancelled_while_it_writes_the_file_out_lets_go_of_the_log_and_the_next_one_works()
    {
        await WriteAsync(0, 200);
        ulong salts = WalSalts();
        await using var paced = await PacedCheckpoint.TryOpenAsync(Db, inbox: false, CancellationToken.None);
        Assert.NotNull(paced);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));   // as at shutdown
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            paced.RunAsync(TimeSpan.FromSeconds(10), pagesPerSlice: 1, TimeProvider.System, stop.Token));

        // The snapshot ended (else this pass could not begin its own), the file was synced, and the log starts over.
        var next = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 64, TimeProvider.System, CancellationToken.None);
        Assert.Equal(next.LogPages, next.CopiedPages);
        await WriteAsync(200, 16);
        Assert.NotEqual(salts, WalSalts());
        await using var c = await Db.OpenAsync();
        Assert.Equal(216, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM blobs"));
    }

    [Fact]
    public async Task The_inbox_store_is_checkpointed_the_same_way()
    {
        await using (var c = await Db.OpenInboxAsync())
        {
            await c.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE bodies (id INTEGER PRIMARY KEY, body BLOB NOT NULL);");
            for (int i = 0; i < 100; i++) await c.ExecuteAsync("INSERT INTO bodies VALUES (@i, @body)", new { i, body = new byte[4000] });
        }
        await using var paced = await PacedCheckpoint.TryOpenAsync(Db, inbox: true, CancellationToken.None);
        Assert.NotNull(paced);
        var pass = await paced.RunAsync(TimeSpan.Zero, pagesPerSlice: 8, TimeProvider.System, CancellationToken.None);
        Assert.Equal(pass.LogPages, pass.CopiedPages);
        Assert.True(pass.FlushSlices >= 2);
        string copy = Path.Combine(Directory, "inbox-copy.db");
        File.Copy(Path.Combine(Directory, "threadline.inbox.db"), copy);
        await using var alone = new SqliteConnection($"Data Source={copy};Pooling=False");
        await alone.OpenAsync();
        Assert.Equal(100, await alone.QuerySingleAsync<long>("SELECT COUNT(*) FROM bodies"));
    }

    [Fact]
    public async Task On_PostgreSQL_there_is_no_paced_checkpoint()
    {
        var db = new Database(new StorageOptions { Provider = "postgres", ConnectionString = "Host=127.0.0.1;Username=nobody" });
        Assert.Null(await PacedCheckpoint.TryOpenAsync(db, inbox: false, CancellationToken.None));
    }
}
