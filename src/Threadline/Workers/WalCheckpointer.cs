using System.Data.Common;
using Dapper;
using Threadline.Store;
using Threadline.Store.Inbox;

namespace Threadline.Workers;

/// <summary>What one checkpoint pass saw and did (pages of the main store's write-ahead log).</summary>
/// <param name="LogPages">Pages in the log when the pass ended.</param>
/// <param name="CopiedPages">Of those, pages copied into the database file (all of them when the pass caught up).</param>
/// <param name="StartOver">True when the log was full enough that the pass held the write turn so that the next write starts it over.</param>
public sealed record CheckpointPass(long LogPages, long CopiedPages, bool StartOver);

/// <summary>
/// SQLite only: keeps both stores' write-ahead logs short without making any commit wait for it. SQLite's own automatic
/// checkpoint copies the log into the database file inside the commit that takes the log past 1,000 pages; the inbox
/// worker's batches touch pages all over a large store, so that copy (plus its two fsyncs) was a third of the worker's
/// time, on the worker's thread. Here two loops of their own do it:
/// <list type="bullet">
/// <item>every <c>Storage:CheckpointIntervalMs</c> (50 ms): mark the inbox rows the worker processed since the last pass,
/// once their writes are on disk (<see cref="ProcessedMarks"/>), then checkpoint the inbox store;</item>
/// <item>every <c>Storage:MainCheckpointIntervalMs</c> (250 ms): checkpoint the main store;</item>
/// <item>every <c>Storage:LogWritebackIntervalMs</c> (3 ms, Linux): write the main store's new log frames out to the disk
/// (<see cref="LogWriteback"/>), so that its syncs find little left to write.</item>
/// </list>
/// A pass is a <see cref="PacedCheckpoint"/> (Linux; <c>Storage:PacedCheckpoints</c>): it writes the database file out
/// in slices spread over most of the interval, so the inbox's fsyncs never queue behind one burst of scattered pages
/// (measured: README → Performance, eleventh session). Elsewhere it is SQLite's PASSIVE checkpoint, which syncs in one go.
/// Neither waits for readers or writers or blocks them. Once a log holds <see cref="StorageOptions.WalCheckpointPages"/>,
/// two more passes run, the last while holding the store's write turn, so that everything is copied when the next write
/// transaction begins, and SQLite starts the log over from its beginning instead of growing the file
/// (docs/architecture-decisions/0006-paced-checkpoints.md). PostgreSQL checkpoints on its own.
/// </summary>
public sealed class WalCheckpointer(Database db, ProcessedMarks marks, TimeProvider clock, ILogger<WalCheckpointer> logger) : BackgroundService
{
    // Per store, what the previous pass saw (pages in the log, pages copied). Concurrent: tests and tools call the passes
    // directly while the loop runs.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long, long)> _lastSeen = new();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the workers open their connections: from now on they leave checkpoints to this service.
        if (db.Provider == StorageProvider.Sqlite) db.UseBackgroundCheckpoints();
        return base.StartAsync(cancellationToken);
    }

    // Its own thread: a checkpoint copies pages and waits for fsyncs (see DedicatedThread).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        db.Provider == StorageProvider.Sqlite
            ? Task.WhenAll(DedicatedThread.Run("SQLite checkpointer", () => LoopAsync(stoppingToken)),
                DedicatedThread.Run("Main checkpoints", () => MainLoopAsync(stoppingToken)),
                db.LogWritebackInterval > TimeSpan.Zero && OperatingSystem.IsLinux()
                    ? DedicatedThread.Run("Main log writeback", () => LogWritebackLoopAsync(stoppingToken))
                    : Task.CompletedTask)
            : Task.CompletedTask;

    /// <summary>The share of an interval over which a paced pass spreads its writes; the rest is the pass's own work and slack.</summary>
    private const double SpreadShare = 0.8;

    /// <summary>After a failed pass: 1 s, then twice as long each time, up to a minute.</summary>
    private static TimeSpan NextBackoff(TimeSpan backoff) =>
        backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        DateTimeOffset retryAt = DateTimeOffset.MinValue, marksReported = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // The marks and the checkpoints fail apart: neither holds the other up.
                try
                {
                    await marks.WriteAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The rows stay pending (processed again after a restart at worst); say so once a minute, not every pass.
                    if (clock.GetUtcNow() - marksReported >= TimeSpan.FromMinutes(1))
                    {
                        marksReported = clock.GetUtcNow();
                        logger.Log(marks.FlushFailed is null ? LogLevel.Warning : LogLevel.Critical, ex, "Marking processed inbox rows failed");
                    }
                }
                try
                {
                    if (clock.GetUtcNow() >= retryAt)
                    {
                        await PassAsync(_inbox, db.CheckpointInterval * SpreadShare, stoppingToken);
                        backoff = TimeSpan.Zero;
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A failed checkpoint loses nothing (the log still holds every commit); commits checkpoint for themselves
                    // again once the log passes the safety-net size. Keep trying, slower.
                    backoff = NextBackoff(backoff);
                    retryAt = clock.GetUtcNow() + backoff;
                    logger.LogWarning(ex, "Checkpointing the SQLite write-ahead log failed; retrying in {Backoff}", backoff);
                }
                await Task.Delay(db.CheckpointInterval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            // The worker stops before this service (hosted services stop in reverse order of registration, Program.cs):
            // mark what it processed last, so that a restart does not process it again. What it hands over later still
            // waits in memory and is processed again after the restart: a replay, never a loss.
            try
            {
                await marks.WriteAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Marking the last processed inbox rows failed; they are processed again after the restart");
            }
            await _inbox.CloseAsync();
        }
    }

    /// <summary>Slices of the main store's log written out per <see cref="Database.LogWritebackInterval"/>, at most: ~2 MiB,
    /// far more than the log grows by in that time at any rate the worker reaches (~0.2 MiB per 3 ms at 5,000 messages/s).</summary>
    private const int MaxLogSlicesPerTick = 8;

    /// <summary>
    /// Writes the main store's new log frames out as they come (<see cref="LogWriteback"/>), so that no sync of the log
    /// sends megabytes to the disk at once beside the inbox's fsyncs.
    /// </summary>
    private async Task LogWritebackLoopAsync(CancellationToken stoppingToken)
    {
        using var writeback = new LogWriteback(db.MainLogPath!, clock);
        DateTimeOffset reported = DateTimeOffset.MinValue;
        var pause = db.LogWritebackInterval;
        long lastNew = clock.GetTimestamp();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (writeback.Push(db.CheckpointSlicePages, MaxLogSlicesPerTick) > 0) lastNew = clock.GetTimestamp();
                    // Nothing new for a second (no traffic; under load the worker commits many times a second): wake up
                    // 16 times less often until something is.
                    pause = clock.GetElapsedTime(lastNew) < TimeSpan.FromSeconds(1) ? db.LogWritebackInterval : db.LogWritebackInterval * 16;
                }
                catch (IOException ex)
                {
                    // Nothing is lost: the log's syncs write out whatever this did not. Say so once a minute, not every tick.
                    if (clock.GetUtcNow() - reported >= TimeSpan.FromMinutes(1))
                    {
                        reported = clock.GetUtcNow();
                        logger.LogWarning(ex, "Writing the main store's write-ahead log out ahead of its syncs failed");
                    }
                }
                await Task.Delay(pause, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task MainLoopAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await PassAsync(_main, db.MainCheckpointInterval * SpreadShare, stoppingToken);
                    backoff = TimeSpan.Zero;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // As for the inbox: nothing is lost, and commits checkpoint for themselves past the safety-net size.
                    backoff = NextBackoff(backoff);
                    logger.LogWarning(ex, "Checkpointing the main store's write-ahead log failed; retrying in {Backoff}", backoff);
                    await Task.Delay(backoff, clock, stoppingToken);
                }
                await Task.Delay(db.MainCheckpointInterval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await _main.CloseAsync();
        }
    }

    /// <summary>Closes the paced checkpoints' own connections (the loops close them when they stop; passes run directly, by
    /// tests and tools, leave them open until this).</summary>
    public override void Dispose()
    {
        base.Dispose();
        _main.CloseAsync().GetAwaiter().GetResult();
        _inbox.CloseAsync().GetAwaiter().GetResult();
    }

    /// <summary>One store's checkpoints: their own connections (when paced), one pass at a time.</summary>
    private sealed class StoreCheckpoints(Database db, string name, bool inbox)
    {
        public string Name { get; } = name;
        public bool Inbox { get; } = inbox;

        /// <summary>A pooled connection for SQLite's own checkpoint (synchronous=NORMAL: it syncs the log before copying and the database after).</summary>
        public Task<DbConnection> OpenAsync(CancellationToken ct) => Inbox ? db.OpenInboxAsync(derivedDataOnly: true, ct) : db.OpenAsync(derivedDataOnly: true, ct);

        public ValueTask<Database.WriteTurn> WriteTurnAsync(CancellationToken ct) => Inbox ? db.InboxWriteTurnAsync(ct) : db.WriteTurnAsync(ct);
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public PacedCheckpoint? Paced;
        public bool Unavailable = !db.PacedCheckpoints;

        public async Task CloseAsync()
        {
            await Gate.WaitAsync(CancellationToken.None);
            try
            {
                if (Paced is not null) await Paced.DisposeAsync();
                Paced = null;
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    private readonly StoreCheckpoints _main = new(db, "main", inbox: false), _inbox = new(db, "inbox", inbox: true);

    /// <summary>One pass over both stores' logs (the main store's pass is returned).</summary>
    public async Task<CheckpointPass> PassAsync(CancellationToken ct)
    {
        await InboxPassAsync(ct);
        return await MainPassAsync(ct);
    }

    /// <summary>The main store: copy what the log holds into the database file; once the log is full enough, have it start over.</summary>
    public Task<CheckpointPass> MainPassAsync(CancellationToken ct) => PassAsync(_main, TimeSpan.Zero, ct);

    /// <summary>
    /// The inbox store, the same way. Its own commits (the webhook endpoint's group commits) checkpointed inside the
    /// commit that took its log past 1,000 pages, about once a second at 5,000 webhooks/s: a copy and two fsyncs that
    /// every webhook waiting for that commit waited for too.
    /// </summary>
    public Task<CheckpointPass> InboxPassAsync(CancellationToken ct) => PassAsync(_inbox, TimeSpan.Zero, ct);

    private async Task<CheckpointPass> PassAsync(StoreCheckpoints store, TimeSpan spread, CancellationToken ct)
    {
        await store.Gate.WaitAsync(ct);
        try
        {
            if (store.Unavailable || (store.Paced ??= await PacedCheckpoint.TryOpenAsync(db, store.Inbox, ct)) is not { } paced)
            {
                store.Unavailable = true;
                return await PlainPassAsync(store, ct);
            }
            int slice = db.CheckpointSlicePages;
            try
            {
                var pass = await TimedAsync(store.Name, paced, spread, slice, ct);
                if (pass.LogPages < db.WalCheckpointPages) return new CheckpointPass(pass.LogPages, pass.CopiedPages, false);
                // What was written during that pass, paced again in a quarter of the time; then the little written
                // meanwhile, while no writer of this process can add more (paced in a sixteenth: the writers wait for
                // it): the next write transaction finds the whole log in the (synced) database file, and no reader on
                // it, and starts it over.
                pass = await TimedAsync(store.Name, paced, spread / 4, slice, ct);
                using (await store.WriteTurnAsync(ct))
                    pass = await TimedAsync(store.Name, paced, spread / 16, slice, ct);
                logger.LogDebug("Write-ahead log of the {Store} store at {Pages} pages, {Copied} copied: the next write starts it over", store.Name, pass.LogPages, pass.CopiedPages);
                return new CheckpointPass(pass.LogPages, pass.CopiedPages, true);
            }
            catch
            {
                store.Paced = null;
                await paced.DisposeAsync();
                throw;
            }
        }
        finally
        {
            store.Gate.Release();
        }
    }

    private async Task<CheckpointResult> TimedAsync(string store, PacedCheckpoint paced, TimeSpan spread, int slice, CancellationToken ct)
    {
        long started = clock.GetTimestamp();
        var result = await paced.RunAsync(spread, slice, clock, ct);
        if (result.FlushSlices > 0)
            StoreMetrics.CheckpointDuration.Record(clock.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("store", store));
        return result;
    }

    private async Task<CheckpointPass> PlainPassAsync(StoreCheckpoints store, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var (log, copied) = await CheckpointAsync(c, store.Name, ct);
        if (log < db.WalCheckpointPages) return new CheckpointPass(log, copied, false);

        // Copy what the last commits added while no writer can add more: the next write transaction then finds the whole
        // log in the database file and starts it over (as long as no reader still reads from it; else a later pass does).
        using (await store.WriteTurnAsync(ct))
            (log, copied) = await CheckpointAsync(c, store.Name, ct);
        logger.LogDebug("Write-ahead log of the {Store} store at {Pages} pages, {Copied} copied: the next write starts it over", store.Name, log, copied);
        return new CheckpointPass(log, copied, true);
    }

    private async Task<(long Log, long Copied)> CheckpointAsync(DbConnection c, string store, CancellationToken ct)
    {
        long started = clock.GetTimestamp();
        // Returns (busy, pages in the log, pages copied so far); -1, -1 when the store is not in WAL mode.
        var (_, log, copied) = await c.QuerySingleAsync<(long Busy, long Log, long Copied)>(
            new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE)", cancellationToken: ct));
        // Only passes that found something new to copy say something about the disk; the others return at once.
        if (_lastSeen.GetValueOrDefault(store) != (log, copied))
            StoreMetrics.CheckpointDuration.Record(clock.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("store", store));
        _lastSeen[store] = (log, copied);
        return (Math.Max(0, log), Math.Max(0, copied));
    }
}
