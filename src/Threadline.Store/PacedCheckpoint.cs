using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Threadline.Store;

/// <summary>What one paced checkpoint of a store saw and did.</summary>
/// <param name="LogPages">Pages in the write-ahead log when it ended.</param>
/// <param name="CopiedPages">Of those, pages copied into the database file and synced.</param>
/// <param name="FlushSlices">Into how many paced slices the database file's writes were cut (0: none to write).</param>
public readonly record struct CheckpointResult(long LogPages, long CopiedPages, int FlushSlices);

/// <summary>
/// SQLite, Linux: a checkpoint of the main store (or the inbox store) that writes the database file out in small paced slices instead of one
/// burst. SQLite's own checkpoint (<c>synchronous=NORMAL</c>) copies the write-ahead log into the database file and
/// then fsyncs it: hundreds of scattered pages at once, and on a disk that finishes what was written before a flush the
/// inbox's fsyncs, which every webhook acknowledgement waits for, queue behind that burst (README → Performance).
/// Here, in this order:
/// <list type="number">
/// <item>a reader opens a snapshot: as long as it reads, no writer can start the log over (SQLite restarts the log only
/// when no reader uses it), so every frame stays in the log until the database file holding it is on disk;</item>
/// <item>the log is fsynced up to that snapshot (<see cref="Database.FlushMainLogToDisk"/>, <see cref="Database.FlushInboxLogToDisk"/>);</item>
/// <item>a connection with <c>synchronous=OFF</c> copies the log into the database file (up to the reader's snapshot,
/// as SQLite's PASSIVE checkpoint does beside any reader), without syncing;</item>
/// <item>the database file's dirty pages are sent to the disk in slices by file range (<c>sync_file_range</c>), with a
/// pause between slices, so an inbox fsync waits for one slice at most;</item>
/// <item>the database file is fdatasynced, and only then the reader lets go.</item>
/// </list>
/// A power cut at any point loses nothing: until step 5 ends the log still holds, synced, every frame that was copied,
/// and SQLite's recovery copies it again. Where any of this is unavailable (not Linux; a VFS whose file is not SQLite's
/// Unix file), <see cref="TryOpenAsync"/> returns null and the caller checkpoints as SQLite does.
/// </summary>
public sealed partial class PacedCheckpoint : IAsyncDisposable
{
    private const int PageBytes = 4096;
    private readonly Func<bool> _flushLog;
    private readonly string _store;
    private readonly SqliteConnection _copier, _reader;
    private readonly int _fd;
    private ulong _lastGeneration;
    private long _lastCopied;

    private PacedCheckpoint(string store, Func<bool> flushLog, SqliteConnection copier, SqliteConnection reader, int fd)
    {
        (_store, _flushLog, _copier, _reader, _fd) = (store, flushLog, copier, reader, fd);
    }

    /// <summary>
    /// Opens the two connections a paced checkpoint of <paramref name="db"/>'s main store (or its inbox store) needs;
    /// null when the store, the platform or the file layout does not allow it (then checkpoint the usual way).
    /// </summary>
    public static async Task<PacedCheckpoint?> TryOpenAsync(Database db, bool inbox, CancellationToken ct)
    {
        if (db.Provider != StorageProvider.Sqlite || !OperatingSystem.IsLinux()) return null;
        // Connections of their own, never pooled: the copier's synchronous=OFF must not reach anybody else's work.
        var own = new SqliteConnectionStringBuilder(inbox ? db.InboxConnectionString : db.MainConnectionString) { Pooling = false }.ToString();
        var copier = new SqliteConnection(own);
        var reader = new SqliteConnection(own);
        try
        {
            await copier.OpenAsync(ct);
            await reader.OpenAsync(ct);
            SqliteWaits.UseShortBusyWaits(copier, Database.SqliteBusyTimeoutMs);
            SqliteWaits.UseShortBusyWaits(reader, Database.SqliteBusyTimeoutMs);
            await copier.ExecuteAsync("PRAGMA synchronous=OFF");
            // Reading once opens the database file (and the log) for this connection.
            await copier.ExecuteScalarAsync("SELECT COUNT(*) FROM sqlite_master");
            if (DatabaseFileDescriptor(copier) is { } fd)
                return new PacedCheckpoint(inbox ? "inbox" : "main", inbox ? db.FlushInboxLogToDisk : db.FlushMainLogToDisk, copier, reader, fd);
        }
        catch
        {
            await copier.DisposeAsync();
            await reader.DisposeAsync();
            throw;
        }
        await copier.DisposeAsync();
        await reader.DisposeAsync();
        return null;
    }

    /// <summary>
    /// One checkpoint: copies what the log holds into the database file and syncs it, spreading the file's writes over
    /// about <paramref name="spread"/> (zero: as fast as the disk takes them).
    /// </summary>
    public async Task<CheckpointResult> RunAsync(TimeSpan spread, int pagesPerSlice, TimeProvider clock, CancellationToken ct)
    {
        await using var snapshot = _reader.BeginTransaction(deferred: true);
        await _reader.ExecuteScalarAsync("SELECT COUNT(*) FROM sqlite_master", transaction: snapshot);
        if (!_flushLog()) return default;   // no log: nothing to copy
        ulong generation = LogGeneration();   // fixed while the snapshot holds the log
        long copyStarted = clock.GetTimestamp();
        var (_, log, copied) = await _copier.QuerySingleAsync<(long Busy, long Log, long Copied)>(
            new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE)", cancellationToken: ct));
        if (log < 0) return default;   // not in WAL mode
        // Frames copied by this pass: SQLite reports all it copied from this log, so since the last pass, unless the log
        // started over in between (then all of them, however the counts compare).
        long fresh = generation == _lastGeneration ? copied - _lastCopied : copied;
        if (fresh > 0)
            StoreMetrics.CheckpointCopyDuration.Record(clock.GetElapsedTime(copyStarted).TotalMilliseconds, new KeyValuePair<string, object?>("store", _store));
        (_lastGeneration, _lastCopied) = (generation, copied);
        int slices = 0;
        if (fresh > 0)
        {
            try
            {
                slices = await WriteOutAsync(fresh, pagesPerSlice, spread, clock, ct);
            }
            finally
            {
                // Also when the pacing was cancelled (shutdown) or failed: the reader lets go (the snapshot ends) only
                // after this, so the log cannot start over while copied pages are not on disk.
                SyncOrFail();
            }
        }
        await snapshot.CommitAsync(CancellationToken.None);   // now the log may start over
        return new CheckpointResult(log, copied, slices);
    }

    /// <summary>
    /// The log's salts (bytes 16–23 of its header): SQLite draws new ones each time the log starts over, so equal salts
    /// mean the same log as the last pass. 0 when there is no log.
    /// </summary>
    private ulong LogGeneration()
    {
        Span<byte> salts = stackalloc byte[8];
        try
        {
            // A second handle on the log is safe to close: SQLite locks the database and -shm files, never the log.
            using var log = File.OpenHandle(_copier.DataSource + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return WalFile.TryReadHeader(log, salts, out _) ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(salts) : 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>
    /// fdatasync of the database file. If it fails, the process stops at once, before the reader lets go: after a failed
    /// fsync Linux may drop the pages it could not write and report the next fsync as a success, so retrying proves
    /// nothing (PostgreSQL stops too, for the same reason). The log still holds, synced, every page copied since the
    /// last good sync, and SQLite's recovery at the next start copies them again.
    /// </summary>
    private void SyncOrFail()
    {
        if (fdatasync(_fd) == 0) return;
        Environment.FailFast($"fdatasync of {_copier.DataSource} failed (errno {Marshal.GetLastPInvokeError()}) during a checkpoint. " +
            "Its write-ahead log still holds every page the checkpoint copied; start Threadline again and SQLite's recovery copies them again.");
    }

    /// <summary>Sends the database file's dirty pages to the disk slice by slice; returns how many slices.</summary>
    private async Task<int> WriteOutAsync(long freshFrames, int pagesPerSlice, TimeSpan spread, TimeProvider clock, CancellationToken ct)
    {
        long size = new FileInfo(_copier.DataSource).Length;
        if (size <= 0) return 0;
        // At most one slice per PagesPerSlice copied frames (a frame rewritten twice is one dirty page), by equal ranges.
        int slices = (int)Math.Clamp((freshFrames + pagesPerSlice - 1) / pagesPerSlice, 1, 1024);
        long range = (size / slices + PageBytes - 1) / PageBytes * PageBytes;
        var pause = slices > 1 ? spread / slices : TimeSpan.Zero;
        for (int i = 0; i < slices; i++)
        {
            long offset = i * range;
            if (offset >= size) break;
            // Wait for earlier writeback of the range, start it, wait for it: one slice on the disk at a time.
            long started = clock.GetTimestamp();
            WalFile.WriteOut(_fd, offset, i == slices - 1 ? 0 : range, _copier.DataSource);
            StoreMetrics.CheckpointSliceDuration.Record(clock.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("store", _store));
            if (pause > TimeSpan.Zero && i < slices - 1) await Task.Delay(pause, clock, ct);
        }
        return slices;
    }

    /// <summary>
    /// The file descriptor SQLite's Unix VFS holds for the connection's database file (<c>SQLITE_FCNTL_FILE_POINTER</c>;
    /// the descriptor follows three pointers in <c>unixFile</c>), checked against the file's path through
    /// <c>/proc/self/fd</c>; null when it does not match.
    /// </summary>
    internal static unsafe int? DatabaseFileDescriptor(SqliteConnection connection)
    {
        void* file = null;
        int rc;
        fixed (byte* main = "main\0"u8) rc = sqlite3_file_control(connection.Handle!.DangerousGetHandle(), main, 7 /* SQLITE_FCNTL_FILE_POINTER */, &file);
        if (rc != 0 || file == null || *(void**)file == null) return null;
        int fd = *(int*)((byte*)file + 3 * sizeof(void*));
        if (fd < 0) return null;
        string? target;
        try
        {
            target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        string expected = Path.GetFullPath(connection.DataSource);
        return target is not null && (target == expected || target == RealPath(expected)) ? fd : null;
    }

    private static string? RealPath(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? ResolveDirectories(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string ResolveDirectories(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        if (directory is null) return path;
        var resolved = new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? ResolveDirectories(directory);
        return Path.Combine(resolved, Path.GetFileName(path));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The last connection to close a store copies the log into the file and deletes the log, syncing as its own
            // synchronous setting says: never as OFF.
            await _copier.ExecuteAsync("PRAGMA synchronous=FULL");
        }
        finally
        {
            await _copier.DisposeAsync();
            await _reader.DisposeAsync();
        }
    }

    [LibraryImport("e_sqlite3")]
    private static unsafe partial int sqlite3_file_control(nint db, byte* name, int op, void* arg);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);
}
