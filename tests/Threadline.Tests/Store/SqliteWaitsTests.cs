using Dapper;
using Microsoft.Data.Sqlite;
using Threadline.Store;

namespace Threadline.Tests.Store;

/// <summary>
/// SQLite's pauses in milliseconds instead of the bundled build's whole seconds (<see cref="SqliteWaits"/>): the busy
/// handler's schedule, the VFS's sleep, and a writer that waits for another connection's lock.
/// </summary>
public sealed class SqliteWaitsTests
{
    [Fact]
    public void The_busy_schedule_is_SQLites_own_for_builds_with_usleep()
    {
        Assert.Equal([1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100, 100, 100],
            Enumerable.Range(0, 14).Select(k => SqliteWaits.BusyDelayMs(k, 10_000)!.Value));
    }

    [Fact]
    public void For_every_timeout_up_to_a_minute_the_waits_add_up_to_the_timeout_and_then_give_up()
    {
        for (int timeout = 0; timeout <= 60_000; timeout += timeout < 1_000 ? 1 : 7)
        {
            int total = 0, count = 0;
            while (SqliteWaits.BusyDelayMs(count, timeout) is { } ms)
            {
                Assert.InRange(ms, 1, 100);
                total += ms;
                count++;
            }
            Assert.Equal(timeout, total);
            Assert.InRange(count, 0, timeout / 100 + 12);
            // And it stays given up.
            Assert.Null(SqliteWaits.BusyDelayMs(count + 1, timeout));
            Assert.Null(SqliteWaits.BusyDelayMs(int.MaxValue, timeout));
        }
    }

    [Fact]
    public void Sqlites_own_sleep_sleeps_milliseconds_not_whole_seconds()
    {
        _ = new Database(new StorageOptions { ConnectionString = "Data Source=/nonexistent/threadline.db" }); // installs it
        Assert.True(SqliteWaits.Installed);
        // sqlite3_sleep returns what the default VFS reports it slept: 1,000 ms for 1 in the bundled build's own VFS.
        var before = SqliteWaits.Pauses;
        Assert.Equal(1, SqliteWaits.NativeSleep(1));
        Assert.Equal(3, SqliteWaits.NativeSleep(3));
        var after = SqliteWaits.Pauses;
        Assert.True(after.Pauses - before.Pauses >= 2 && after.Milliseconds - before.Milliseconds >= 4, $"{before} → {after}");
    }

    [Fact]
    public Task A_writer_waiting_for_another_connections_lock_retries_in_short_steps_and_gets_it() =>
        WithWriteLockHeldAsync("INSERT INTO t VALUES (1)", async (db, file, holder) =>
        {
            await using var waiter = await db.OpenAsync();
            long before = SqliteWaits.BusyCalls;
            var write = Task.Run(() => waiter.Execute("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT"));
            // The busy handler is called again and again while the lock is held (SQLite's own would sleep a second after
            // its first call); only then is the lock released.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (SqliteWaits.BusyCalls - before < 4 && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.True(SqliteWaits.BusyCalls - before >= 4, $"busy handler called {SqliteWaits.BusyCalls - before} times");
            Assert.False(write.IsCompleted);
            await holder.ExecuteAsync("COMMIT");

            await write;
            Assert.Equal([1L, 2L], await holder.QueryAsync<long>("SELECT x FROM t ORDER BY x"));
        });

    [Fact]
    public Task A_writer_gives_up_with_BUSY_once_its_timeout_is_used_up() =>
        WithWriteLockHeldAsync("SELECT 1", async (_, file, holder) =>
        {
            // Default Timeout=1: Microsoft.Data.Sqlite retries a BUSY statement itself for that long (0 would be forever).
            await using var waiter = new SqliteConnection($"Data Source={file};Pooling=False;Default Timeout=1");
            await waiter.OpenAsync();
            SqliteWaits.UseShortBusyWaits(waiter, timeoutMs: 60);
            long before = SqliteWaits.BusyCalls;
            var error = Assert.Throws<SqliteException>(() => waiter.Execute("BEGIN IMMEDIATE"));
            Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
            // Each try waited 1 + 2 + 5 + 10 + 15 + 20 + 7 ms in 7 calls, then gave up (an 8th call said so).
            Assert.True(SqliteWaits.BusyCalls - before >= 8, $"busy handler called {SqliteWaits.BusyCalls - before} times");
            await holder.ExecuteAsync("ROLLBACK");
        });

    /// <summary>A fresh store with a table <c>t</c>, and another process's writer (as the CLI beside a running server)
    /// holding SQLite's write lock after running <paramref name="statement"/> in its open transaction.</summary>
    private static async Task WithWriteLockHeldAsync(string statement, Func<Database, string, SqliteConnection, Task> test)
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        string file = Path.Combine(directory, "waits.db");
        var db = new Database(new StorageOptions { ConnectionString = $"Data Source={file}" });
        try
        {
            await using (var setup = await db.OpenAsync())
                await setup.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER)");
            await using var holder = new SqliteConnection($"Data Source={file};Pooling=False");
            await holder.OpenAsync();
            await holder.ExecuteAsync($"BEGIN IMMEDIATE; {statement}");
            await test(db, file, holder);
        }
        finally
        {
            db.CloseIdleConnections();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
