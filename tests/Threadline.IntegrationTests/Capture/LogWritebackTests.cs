using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// Writing the main store's log out as it grows (<see cref="LogWriteback"/>), on real SQLite files, watched through the
/// kernel's own count of the log's dirty pages in the page cache (<c>cachestat</c>, Linux 6.5+): the worker's commits
/// leave their frames dirty (no fsync); afterwards none of them are, up to where the current log ends.
/// </summary>
public sealed class LogWritebackTests : BlobStoreTests
{
    private const int Frame = 24 + 4096;

    /// <summary>Frames in the current log, as SQLite counts them (a passive checkpoint reports them; it copies, and leaves the log as it is).</summary>
    private async Task<long> LogFramesAsync()
    {
        await using var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        await c.OpenAsync();
        var (_, log, _) = await c.QuerySingleAsync<(long Busy, long Log, long Copied)>("PRAGMA wal_checkpoint(PASSIVE)");
        return log;
    }

    /// <summary>Where the current log's last frame ends, down to a whole page of the file (the page holding the end waits
    /// for the next commit to write on into it).</summary>
    private static long WholePagesOf(long frames) => (32 + frames * Frame) / 4096 * 4096;

    /// <summary>Pushes one slice at a time until nothing is left; returns the slices and the bytes written out.</summary>
    private static (int Slices, long Bytes) PushAll(LogWriteback writeback, int framesPerSlice)
    {
        int slices = 0;
        long bytes = 0;
        for (long n; (n = writeback.Push(framesPerSlice, maxSlices: 1)) > 0; slices++) bytes += n;
        return (slices, bytes);
    }

    [Fact]
    public async Task What_commits_appended_is_written_out_slice_by_slice_until_no_page_of_the_log_is_dirty()
    {
        await Blobs.WriteAsync(Db, 0, 200);
        Assert.True(DirtyPages(WalFile, 0, 0) > 100, "the commits' frames should wait in the page cache (no fsync)");

        using var writeback = new LogWriteback(WalFile, TimeProvider.System);
        var (slices, _) = PushAll(writeback, framesPerSlice: 16);
        long frames = await LogFramesAsync();
        Assert.InRange(frames, 200, 260);
        Assert.Equal(WholePagesOf(frames), writeback.WrittenTo);
        Assert.InRange(slices, (int)(frames / 16), (int)(frames / 16) + 1);
        Assert.Equal(0, DirtyPages(WalFile, 0, writeback.WrittenTo));

        // More commits (the passive checkpoint above copied the whole log, so they start it over): only what they wrote
        // is written out.
        await Blobs.WriteAsync(Db, 200, 48);
        var (_, bytes) = PushAll(writeback, framesPerSlice: 16);
        Assert.Equal(WholePagesOf(await LogFramesAsync()), writeback.WrittenTo);
        Assert.InRange(bytes, 48 * Frame - 4096, 60 * Frame);
        Assert.Equal(0, DirtyPages(WalFile, 0, writeback.WrittenTo));
    }

    [Fact]
    public async Task After_the_log_starts_over_it_is_written_out_from_its_start_up_to_its_new_end_not_over_the_old_frames_beyond()
    {
        using var writeback = new LogWriteback(WalFile, TimeProvider.System);
        await Blobs.WriteAsync(Db, 0, 300);
        PushAll(writeback, framesPerSlice: 64);
        long longLog = writeback.WrittenTo;

        // Everything copied and synced, so the next write starts the log over from its beginning; the file keeps its
        // length (journal_size_limit), so the older frames stay beyond the new ones.
        await using (var c = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False"))
        {
            await c.OpenAsync();
            await c.ExecuteAsync("PRAGMA wal_checkpoint(RESTART)");
        }
        await Blobs.WriteAsync(Db, 300, 32);
        long fileLength = new FileInfo(WalFile).Length;
        Assert.True(fileLength >= longLog, "the log file should have kept its length");

        PushAll(writeback, framesPerSlice: 64);
        long frames = await LogFramesAsync();
        Assert.InRange(frames, 32, 60);
        Assert.Equal(WholePagesOf(frames), writeback.WrittenTo);
        Assert.True(writeback.WrittenTo < longLog / 4, $"wrote out to {writeback.WrittenTo}, into the old frames");
        Assert.Equal(0, DirtyPages(WalFile, 0, writeback.WrittenTo));
    }

    [Fact]
    public void Without_a_log_nothing_is_written_out()
    {
        using var writeback = new LogWriteback(Path.Combine(Directory, "none.db-wal"), TimeProvider.System);
        Assert.Equal(0, writeback.Push(64, 8));
        Assert.Equal(0, writeback.WrittenTo);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(0, false)]
    public async Task The_checkpointer_writes_the_log_out_as_it_grows_when_set_to(int intervalMs, bool writtenOut)
    {
        // Main-store checkpoints (which sync the log) far apart: only the writeback can write these commits out.
        Db = new Database(new StorageOptions { ConnectionString = $"Data Source={DatabaseFile}", MainCheckpointIntervalMs = 60_000, LogWritebackIntervalMs = intervalMs });
        var checkpointer = new WalCheckpointer(Db, new ProcessedMarks(Db, new InboxQueue(Db), TimeProvider.System), TimeProvider.System, NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(CancellationToken.None);
        try
        {
            // Past the main store's first pass (at start), and idle for over a second: the loop has slowed down to
            // 16 intervals between wake-ups when the commits come, and must catch up with them all the same.
            await Task.Delay(1_300);
            await Blobs.WriteAsync(Db, 0, 200);
            long dirty = DirtyPages(WalFile, 0, 0);
            for (int i = 0; i < (writtenOut ? 50 : 10) && dirty > 1; i++)
            {
                await Task.Delay(100);
                dirty = DirtyPages(WalFile, 0, 0);
            }
            // At most the page holding the end of the log is left (the next commit writes on into it).
            if (writtenOut) Assert.InRange(dirty, 0, 1);
            else Assert.True(dirty > 100, $"{dirty} dirty pages: something else wrote the log out");
        }
        finally
        {
            await checkpointer.StopAsync(CancellationToken.None);
            checkpointer.Dispose();
        }
    }

    /// <summary>Dirty pages of <paramref name="path"/> in the page cache from <paramref name="offset"/>, over
    /// <paramref name="length"/> bytes (0: to the end), counting those being written out too (<c>cachestat</c>).</summary>
    private static long DirtyPages(string path, long offset, long length)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var range = new CacheStatRange((ulong)offset, (ulong)length);
        // 451: cachestat on x86-64 and arm64.
        if (syscall(451, (int)file.DangerousGetHandle(), ref range, out var stat, 0) != 0)
            throw new InvalidOperationException($"cachestat failed (errno {Marshal.GetLastPInvokeError()}): it needs Linux 6.5 or later");
        return (long)(stat.Dirty + stat.Writeback);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct CacheStatRange(ulong Offset, ulong Length);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct CacheStat(ulong Cached, ulong Dirty, ulong Writeback, ulong Evicted, ulong RecentlyEvicted);

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, int fd, ref CacheStatRange range, out CacheStat stat, uint flags);
}
