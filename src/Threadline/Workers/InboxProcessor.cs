using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Identity;
using Threadline.Sending;
using Threadline.Store;
using Threadline.Store.Capture;
using Threadline.Store.Identity;
using Threadline.Store.Inbox;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Workers;

/// <summary>What the pipeline's steps wrote for a batch: capture's counts, and how many messages the decisions queued for sending.</summary>
/// <param name="Loads">The agents' loads as the steps left them; see <see cref="InboxProcessor.Committed"/>.</param>
public sealed record StepsResult(CaptureWriteResult Written, int Queued, IReadOnlyList<Threadline.Pipeline.Business.Agent>? Loads = null);

/// <summary>What one pass over the inbox did.</summary>
public sealed record InboxPass(int Rows, int Processed, int DeadLettered, int Failed, CaptureWriteResult? Written)
{
    public static readonly InboxPass Idle = new(0, 0, 0, 0, null);
}

/// <summary>
/// The pipeline runner for inbox rows: load a batch → parse → run the stages (capture, identity) → write all their
/// decisions → mark the rows processed. A crash anywhere leaves the rows pending, and the writes are idempotent, so the
/// next pass resumes without loss or duplicate. A body that can never be read is dead-lettered at once; a batch that
/// fails to write is retried row by row, so one poison row cannot block the rest.
/// PostgreSQL: claim (SKIP LOCKED), writes and marks are one transaction, so several instances share the inbox.
/// SQLite: the inbox is a store of its own; writes commit first, and the rows are marked once those writes are on disk
/// (<see cref="ProcessedMarks"/>; a crash before that means one idempotent replay). Neither holds up the webhook
/// endpoint's commits.
/// </summary>
public sealed class InboxProcessor(
    Database db, InboxQueue queue, ProcessedMarks marks, CaptureWriter writer, IdentityStore identities, ConversationSteps conversations, DeliveryFailures failures, OutboxSignal signal, TimeProvider clock, IOptions<InboxOptions> options, ILogger<InboxProcessor> logger)
{
    private sealed record Claimed(List<(InboxRow Row, WebhookBatch Batch)> Parsed, List<(InboxRow Row, string Error)> Unreadable)
    {
        public int Count => Parsed.Count + Unreadable.Count;
    }

    public async Task<InboxPass> ProcessNextAsync(CancellationToken ct)
    {
        var settings = options.Value;
        // Derived data only: everything written here can be rebuilt from the durable inbox (see Database.OpenAsync).
        await using var main = await db.OpenAsync(derivedDataOnly: true, ct);
        if (!db.InboxIsSeparate)
        {
            await using var tx = await main.BeginTransactionAsync(ct);
            await main.ExecuteAsync(new CommandDefinition(WorkerSettings, transaction: tx, cancellationToken: ct));
            var claimed = Parse(await queue.ClaimAsync(main, tx, settings.BatchSize, Now(), ct));
            if (claimed.Count == 0) return InboxPass.Idle;
            await main.ExecuteAsync(new CommandDefinition(AfterClaim, transaction: tx, cancellationToken: ct));
            try
            {
                var written = await WriteAsync(main, tx, claimed, ct);
                await MarkAsync(main, tx, claimed, ct);
                await tx.CommitAsync(ct);
                Committed(written);
                return new InboxPass(claimed.Count, claimed.Parsed.Count, claimed.Unreadable.Count, 0, written.Written);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Writing a batch of {Count} inbox rows failed; retrying them one by one", claimed.Count);
                await tx.RollbackAsync(ct);
                return await OneByOneAsync(main, main, claimed, ct);
            }
        }

        // After the main store's log failed to reach the disk, nothing more is marked: stop taking rows (see ProcessedMarks).
        if (marks.FlushFailed is { } failed) throw new InvalidOperationException("Inbox processing stopped: forcing the main store's log to disk failed; restart Threadline.", failed);
        await using var inbox = await db.OpenInboxAsync(derivedDataOnly: true, ct);
        // Rows processed earlier whose marks wait for the main store's log to reach the disk are still pending: skip them.
        var (after, skip) = marks.NextClaim();
        // A claim from the first pending row (after = 0) meets the waiting rows first: read past them, so that they
        // cannot fill the batch and make the inbox look idle.
        var claim = await queue.ClaimAsync(inbox, null, settings.BatchSize + (after == 0 ? skip.Count : 0), Now(), ct, after);
        var taken = skip.Count == 0 ? claim : claim.Where(r => !skip.Contains(r.Id)).Take(settings.BatchSize).ToList();
        if (taken.Count == 0) return InboxPass.Idle;
        long claimedUpTo = taken[^1].Id;
        var rows = Parse(taken);
        StepsResult result;
        try
        {
            using var turn = await db.WriteTurnAsync(ct);
            await using var tx = await main.BeginTransactionAsync(ct);
            result = await WriteAsync(main, tx, rows, ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Writing a batch of {Count} inbox rows failed; retrying them one by one", rows.Count);
            return await OneByOneAsync(main, inbox, rows, ct, claimedUpTo);
        }
        Committed(result);
        // Handed over before anything else can fail: these rows' writes are committed.
        marks.Processed(rows.Parsed.Select(p => p.Row.Id).ToList(), rows.Unreadable.Count == 0 ? claimedUpTo : 0);
        if (rows.Unreadable.Count > 0)
        {
            await DeadLetterAsync(inbox, rows.Unreadable, ct);
            marks.Processed([], claimedUpTo);
        }
        return new InboxPass(rows.Count, rows.Parsed.Count, rows.Unreadable.Count, 0, result.Written);
    }

    /// <summary>
    /// PostgreSQL, for the worker's transaction (one round trip):
    /// <list type="bullet">
    /// <item>Derived data: this commit need not wait for its own WAL flush. A crash loses at most the last few such
    /// commits, marks included, so those rows are simply processed again; every acknowledged webhook was flushed by its
    /// own synchronous commit, which also flushes everything logged before it.</item>
    /// <item>The worker reads batches of ~1,000 keys from tables that are hot in memory. At PostgreSQL's default cost of a
    /// random page (4, a spinning disk's) the planner read whole tables instead of their indexes: the contacts' latest
    /// conversations by a sequential scan of all conversations (18–31 ms per batch, against 4.4 ms through
    /// <c>ix_conversations_contact</c>), the identities likewise (9.4 against 4.7 ms). 1.1 is the usual setting for
    /// memory and SSDs; it is set here, for this transaction only, so the worker does not depend on how the database is tuned.</item>
    /// <item>The claim reads the pending rows in id order through <c>ix_inbox_pending</c>. Planned as a bitmap scan (the
    /// planner's choice for a few hundred estimated rows) it visits every index entry of a row already processed and
    /// never marks them dead, so until autovacuum comes each claim read the whole inbox's history: 27.6 ms per claim in
    /// <c>bench pipeline</c>. A plain index scan marks the dead entries as it passes them and skips them after (~2 ms).
    /// Bitmap scans are off for the claim alone (<see cref="AfterClaim"/>).</item>
    /// </list>
    /// </summary>
    internal const string WorkerSettings = "SET LOCAL synchronous_commit = off; SET LOCAL random_page_cost = 1.1; SET LOCAL enable_bitmapscan = off";

    internal const string AfterClaim = "SET LOCAL enable_bitmapscan = on";

    private static Claimed Parse(IEnumerable<InboxRow> rows)
    {
        var claimed = new Claimed([], []);
        foreach (var row in rows)
        {
            var result = WebhookParser.Parse(row.Body);
            if (result.Batch is { } batch) claimed.Parsed.Add((row, batch));
            else claimed.Unreadable.Add((row, result.Error ?? "unreadable body"));
        }
        return claimed;
    }

    private Task<StepsResult> WriteAsync(DbConnection connection, DbTransaction tx, Claimed claimed, CancellationToken ct) =>
        RunStepsAsync(connection, tx, claimed.Parsed.Select(p => p.Batch), ct);

    /// <summary>
    /// The pipeline's steps for what WhatsApp told us, in the caller's transaction. Also how the outbox records a message
    /// WhatsApp accepted from us: as an outbound message through the same steps, so its conversation, the history and
    /// the follow-up plan see it exactly as they see a reply a person sent from the WhatsApp Business app.
    /// </summary>
    public async Task<StepsResult> RunStepsAsync(DbConnection connection, DbTransaction tx, IEnumerable<WebhookBatch> batches, CancellationToken ct)
    {
        // Step 1, capture: store what the bodies said.
        var decision = CaptureStage.Decide(batches);
        var written = await writer.WriteAsync(connection, tx, decision, Now(), ct);
        // A message of ours that WhatsApp took and later reports failed: react as to a refused call (template, mark, resend, a person).
        int requeued = await failures.ReactAsync(connection, tx, decision.Statuses, clock.GetUtcNow(), ct);

        // Step 2, identity: tie every message to a contact (load owners of the identities mentioned → decide → write).
        var senders = IdentityStage.Senders(decision.Messages, decision.Users);
        var known = await identities.KnownAsync(connection, tx, IdentityStage.Lookups(senders, decision.Messages), ct);
        var contactOf = await identities.WriteAsync(connection, tx, IdentityStage.Resolve(senders, known), known, decision.Messages, Now(), ct);

        // Steps 3 and 4, context and routing: thread every message, decide for every inbound one, with reasons.
        var (_, queued, loads) = await conversations.RunAsync(connection, tx, decision.Messages, contactOf, clock.GetUtcNow(), ct);
        return new StepsResult(written, queued + requeued, loads);
    }

    /// <summary>Call after the transaction of <see cref="RunStepsAsync"/> committed (and not otherwise): what the steps
    /// changed in memory (the agents' cached loads) follows the database, and the sender starts at once on what the
    /// decisions queued.</summary>
    public void Committed(StepsResult result)
    {
        conversations.Committed(result.Loads);
        if (result.Queued > 0) signal.Notify();
    }

    /// <summary>PostgreSQL: marks the claimed rows in the transaction of their writes.</summary>
    private async Task MarkAsync(DbConnection inbox, DbTransaction tx, Claimed claimed, CancellationToken ct)
    {
        await queue.MarkProcessedAsync(inbox, tx, claimed.Parsed.Select(p => p.Row.Id).ToList(), Now(), ct);
        await DeadLetterAsync(inbox, claimed.Unreadable, ct, tx);
    }

    /// <summary>Bodies that can never be read: nothing was written for them, so they are dead-lettered at once: in
    /// <paramref name="tx"/>, or in a transaction of the inbox's own when it is null.</summary>
    private async Task DeadLetterAsync(DbConnection inbox, List<(InboxRow Row, string Error)> unreadable, CancellationToken ct, DbTransaction? tx = null)
    {
        if (unreadable.Count == 0) return;
        using var turn = tx is null ? await db.InboxWriteTurnAsync(ct) : default;
        await using var own = tx is null ? await inbox.BeginTransactionAsync(ct) : null;
        foreach (var (row, error) in unreadable)
        {
            logger.LogWarning("Dead-lettered inbox row {InboxId}: {Error}", row.Id, error);
            await queue.MarkDeadAsync(inbox, tx ?? own, row.Id, error, ct);
        }
        if (own is not null) await own.CommitAsync(ct);
    }

    private async Task<InboxPass> OneByOneAsync(DbConnection main, DbConnection inbox, Claimed claimed, CancellationToken ct, long claimedUpTo = 0)
    {
        int processed = 0, failed = 0;
        var done = new List<long>();
        var settings = options.Value;
        bool handledAll = false;
        try
        {
            foreach (var item in claimed.Parsed)
            {
                var single = new Claimed([item], []);
                try
                {
                    using (await db.WriteTurnAsync(ct))
                    {
                        await using var tx = await main.BeginTransactionAsync(ct);
                        var written = await WriteAsync(main, tx, single, ct);
                        if (!db.InboxIsSeparate) await MarkAsync(main, tx, single, ct);
                        await tx.CommitAsync(ct);
                        Committed(written);
                    }
                    done.Add(item.Row.Id);
                    processed++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    // Backoff doubles per attempt (1 s, 2 s, 4 s …) so a transient fault clears before the row is dead-lettered.
                    long next = clock.GetUtcNow().AddSeconds(Math.Pow(2, item.Row.Attempts)).ToUnixTimeMilliseconds();
                    logger.LogError(ex, "Inbox row {InboxId} failed (attempt {Attempt} of {Max})", item.Row.Id, item.Row.Attempts + 1, settings.MaxAttempts);
                    using var turn = await db.InboxWriteTurnAsync(ct);
                    await queue.MarkFailedAsync(inbox, null, item.Row.Id, $"{ex.GetType().Name}: {ex.Message}", settings.MaxAttempts, next, ct);
                }
            }
            await DeadLetterAsync(inbox, claimed.Unreadable, ct);
            handledAll = true;
        }
        finally
        {
            // SQLite: whatever committed is handed over even if a later row's bookkeeping threw; the position moves past
            // the claim only when every row of it was handled.
            if (db.InboxIsSeparate) marks.Processed(done, handledAll ? claimedUpTo : 0);
        }
        return new InboxPass(claimed.Count, processed, claimed.Unreadable.Count, failed, null);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
