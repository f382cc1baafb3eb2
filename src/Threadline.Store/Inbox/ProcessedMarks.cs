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
/// and the worker skips them: it claims only rows after the last one it finished (<see cref="After"/>), or rows that
/// failed before (retries), less those <see cref="Unmarked"/>. (Row ids grow in commit order: one writer per file.) A crash before the marks loses nothing: the rows are
/// pending and processed again, which changes nothing (every write of the pipeline is idempotent).
/// </para>
/// </summary>
/// <param name="flushMainLog">Forces the main store's log to disk; <see cref="Database.FlushMainLogToDisk"/> unless a test
/// watches it.</param>
public sealed class ProcessedMarks(Database db, InboxQueue queue, TimeProvider clock, Func<bool>? flushMainLog = null)
{
    private readonly Func<bool> _flushMainLog = flushMainLog ?? db.FlushMainLogToDisk;

    private readonly Lock _gate = new();
    private List<long> _waiting = [];
    private readonly HashSet<long> _unmarked = [];
    private long _after;

    /// <summary>
    /// Where the worker's next claim starts: after the last row of the last claim it finished, while some of its rows
    /// wait for their marks; 0 (everything pending) once none does, so a row set back to pending by hand is claimed too.
    /// </summary>
    public long After
    {
        get { lock (_gate) return _unmarked.Count == 0 ? 0 : _after; }
    }

    /// <summary>Rows processed whose marks are not written yet.</summary>
    public int Waiting
    {
        get { lock (_gate) return _unmarked.Count; }
    }

    /// <summary>Whether <paramref name="id"/> was processed and waits for its mark (so a claim must skip it).</summary>
    public bool Unmarked(long id)
    {
        lock (_gate) return _unmarked.Contains(id);
    }

    /// <summary>
    /// After the main store committed what the worker wrote for <paramref name="processed"/>: they wait for their marks.
    /// <paramref name="claimedUpTo"/> is the claim's last row id; every row of the claim was handled (processed, failed
    /// and rescheduled, or dead-lettered), so later claims start after it.
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
    /// it marked. On failure the rows wait for the next call.
    /// </summary>
    public async Task<int> WriteAsync(CancellationToken ct)
    {
        List<long> rows;
        lock (_gate)
        {
            if (_waiting.Count == 0) return 0;
            (rows, _waiting) = (_waiting, []);
        }
        try
        {
            _flushMainLog();
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
