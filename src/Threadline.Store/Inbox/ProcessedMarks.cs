namespace Threadline.Store.Inbox;

/// <summary>
/// SQLite only: marks inbox rows processed once what the worker wrote for them is durable, never before.
/// <para>
/// On SQLite the inbox is a file of its own, and the worker's commits to the main store skip their fsync
/// (<c>synchronous=NORMAL</c>: everything they write can be rebuilt from the inbox). Marking rows processed in the inbox
/// right after such a commit left a window: the next group commit of webhooks fsyncs the inbox's log, marks included,
/// while the main store's log was not yet on disk; a power cut then left rows marked processed whose messages were
/// gone. So the worker hands its rows here after each commit; <see cref="WriteAsync"/> (the checkpointer calls it every
/// pass, ~50 ms) first forces the main store's log to disk, then marks them. Until then they are pending in the inbox,
/// and the worker skips them: it claims only rows after the last one it finished, or rows that failed before (retries),
/// less those waiting (<see cref="NextClaim"/>; row ids grow in commit order: one writer per file). A crash before the
/// marks loses nothing: the rows are pending and processed again, which changes nothing (every write of the pipeline
/// is idempotent).
/// </para>
/// <para>
/// If forcing the log to disk fails, the marks stop for good (every later <see cref="WriteAsync"/> refuses, and the
/// worker stops taking rows): after a failed fsync Linux may have dropped the unwritten pages and a retried fsync
/// reports success, so a retry could mark rows whose writes never reached the disk. This is PostgreSQL's answer to the
/// same problem; the rows stay pending and are processed again after a restart.
/// </para>
/// </summary>
/// <param name="flushMainLog">Forces the main store's log to disk; <see cref="Database.FlushMainLogToDisk"/> unless a test
/// watches it.</param>
public sealed class ProcessedMarks(Database db, InboxQueue queue, TimeProvider clock, Func<bool>? flushMainLog = null)
{
    /// <summary>How often a claim starts from the first pending row although rows wait for their marks: so that a row set
    /// back to pending by hand (or restored) is not passed over for as long as the load lasts.</summary>
    public static readonly TimeSpan FullClaimEvery = TimeSpan.FromSeconds(30);

    private readonly Func<bool> _flushMainLog = flushMainLog ?? db.FlushMainLogToDisk;

    private readonly Lock _gate = new();
    private List<long> _waiting = [];
    private readonly HashSet<long> _unmarked = [];
    private long _after;
    private long _lastFullClaim = clock.GetTimestamp();
    private Exception? _flushFailed;

    /// <summary>Set once forcing the main store's log to disk failed: no mark is written until the process restarts.</summary>
    public Exception? FlushFailed
    {
        get { lock (_gate) return _flushFailed; }
    }

    /// <summary>
    /// Where the worker's next claim starts, and the rows it must skip (processed, waiting for their marks), taken
    /// together before the claim: after the last row of the last claim it finished while some rows wait; 0 (everything
    /// pending) once none does, and every <see cref="FullClaimEvery"/> even while some do.
    /// </summary>
    public (long After, IReadOnlySet<long> Skip) NextClaim()
    {
        lock (_gate)
        {
            if (_unmarked.Count == 0) return (0, EmptySet);
            if (clock.GetElapsedTime(_lastFullClaim) >= FullClaimEvery)
            {
                _lastFullClaim = clock.GetTimestamp();
                return (0, new HashSet<long>(_unmarked));
            }
            return (_after, new HashSet<long>(_unmarked));
        }
    }

    private static readonly IReadOnlySet<long> EmptySet = new HashSet<long>();

    /// <summary>Rows processed whose marks are not written yet.</summary>
    public int Waiting
    {
        get { lock (_gate) return _unmarked.Count; }
    }

    /// <summary>Whether <paramref name="id"/> was processed and waits for its mark.</summary>
    public bool Unmarked(long id)
    {
        lock (_gate) return _unmarked.Contains(id);
    }

    /// <summary>
    /// After the main store committed what the worker wrote for <paramref name="processed"/>: they wait for their marks.
    /// <paramref name="claimedUpTo"/> is the claim's last row id when every row of the claim was handled (processed,
    /// failed and rescheduled, or dead-lettered), so later claims start after it; 0 leaves the position where it is.
    /// </summary>
    public void Processed(IReadOnlyCollection<long> processed, long claimedUpTo)
    {
        lock (_gate)
        {
            _waiting.AddRange(processed);
            _unmarked.UnionWith(processed);
            _after = Math.Max(_after, claimedUpTo);
        }
    }

    /// <summary>
    /// Forces the main store's log to disk, then marks processed every row handed over before that. Returns how many rows
    /// it marked. If the marks fail to commit, the rows wait for the next call; if the flush fails, see the class summary.
    /// </summary>
    public async Task<int> WriteAsync(CancellationToken ct)
    {
        List<long> rows;
        lock (_gate)
        {
            if (_flushFailed is not null) throw new InvalidOperationException("Forcing the main store's write-ahead log to disk failed earlier; inbox rows are no longer marked processed until Threadline restarts (they are processed again then).", _flushFailed);
            if (_waiting.Count == 0) return 0;
            (rows, _waiting) = (_waiting, []);
        }
        try
        {
            // False when there is no log: then the last connection's close checkpointed it into the database file and
            // synced that, so everything committed before is on disk.
            _flushMainLog();
        }
        catch (Exception ex)
        {
            lock (_gate) _flushFailed = ex;
            throw;
        }
        try
        {
            await using var inbox = await db.OpenInboxAsync(derivedDataOnly: true, ct);
            using var turn = await db.InboxWriteTurnAsync(ct);
            await using var tx = await inbox.BeginTransactionAsync(ct);
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var chunk in rows.Chunk(4_096)) await queue.MarkProcessedAsync(inbox, tx, chunk, now, ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            lock (_gate) _waiting.InsertRange(0, rows);
            throw;
        }
        lock (_gate) _unmarked.ExceptWith(rows);
        return rows.Count;
    }
}
