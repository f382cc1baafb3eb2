using System.Data.Common;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Capture;
using Threadline.Store;
using Threadline.Store.Capture;
using Threadline.Store.Inbox;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Workers;

/// <summary>What one pass over the inbox did.</summary>
public sealed record InboxPass(int Rows, int Processed, int DeadLettered, int Failed, CaptureWriteResult? Written)
{
    public static readonly InboxPass Idle = new(0, 0, 0, 0, null);
}

/// <summary>
/// The pipeline runner for inbox rows: load a batch → parse → run the stages (today: capture) → write all their
/// decisions and mark the rows processed in one transaction. A crash anywhere leaves the rows pending, and the
/// writes are idempotent, so the next pass resumes without loss or duplicate. A body that can never be read is
/// dead-lettered at once; a batch that fails to write is retried row by row, so one poison row cannot block the rest.
/// </summary>
public sealed class InboxProcessor(
    Database db, InboxQueue queue, CaptureWriter writer, TimeProvider clock, IOptions<InboxOptions> options, ILogger<InboxProcessor> logger)
{
    public async Task<InboxPass> ProcessNextAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var connection = await db.OpenAsync(derivedDataOnly: true, ct);
        // PostgreSQL: the claim's row locks (SKIP LOCKED) must live as long as the work, so the transaction starts first.
        // SQLite: read without holding the single write lock; only this worker processes rows.
        DbTransaction? tx = db.Provider == StorageProvider.Postgres ? await connection.BeginTransactionAsync(ct) : null;
        try
        {
            var rows = await queue.ClaimAsync(connection, tx, settings.BatchSize, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            if (rows.Count == 0) return InboxPass.Idle;

            var parsed = new List<(InboxRow Row, WebhookBatch Batch)>(rows.Count);
            var unreadable = new List<(InboxRow Row, string Error)>();
            foreach (var row in rows)
            {
                var result = WebhookParser.Parse(row.Body);
                if (result.Batch is { } batch) parsed.Add((row, batch));
                else unreadable.Add((row, result.Error ?? "unreadable body"));
            }

            using var turn = await db.WriteTurnAsync(ct);
            tx ??= await connection.BeginTransactionAsync(ct);
            try
            {
                var written = await WriteAsync(connection, tx, parsed, unreadable, ct);
                await tx.CommitAsync(ct);
                return new InboxPass(rows.Count, parsed.Count, unreadable.Count, 0, written);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Writing a batch of {Count} inbox rows failed; retrying them one by one", rows.Count);
                await tx.RollbackAsync(ct);
                await tx.DisposeAsync();
                tx = null;
                return await OneByOneAsync(connection, parsed, unreadable, ct);
            }
        }
        finally
        {
            if (tx is not null) await tx.DisposeAsync();
        }
    }

    private async Task<CaptureWriteResult> WriteAsync(DbConnection connection, DbTransaction tx,
        List<(InboxRow Row, WebhookBatch Batch)> parsed, List<(InboxRow Row, string Error)> unreadable, CancellationToken ct)
    {
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var decision = CaptureStage.Decide(parsed.Select(p => p.Batch));
        var written = await writer.WriteAsync(connection, tx, decision, now, ct);
        await queue.MarkProcessedAsync(connection, tx, parsed.Select(p => p.Row.Id).ToList(), now, ct);
        foreach (var (row, error) in unreadable)
        {
            logger.LogWarning("Dead-lettered inbox row {InboxId}: {Error}", row.Id, error);
            await queue.MarkDeadAsync(connection, tx, row.Id, error, ct);
        }
        return written;
    }

    private async Task<InboxPass> OneByOneAsync(DbConnection connection,
        List<(InboxRow Row, WebhookBatch Batch)> parsed, List<(InboxRow Row, string Error)> unreadable, CancellationToken ct)
    {
        int processed = 0, failed = 0;
        var settings = options.Value;
        foreach (var item in parsed)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            try
            {
                await WriteAsync(connection, tx, [item], [], ct);
                await tx.CommitAsync(ct);
                processed++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await tx.RollbackAsync(ct);
                failed++;
                // Backoff doubles per attempt (1 s, 2 s, 4 s …) so a transient fault clears before the row is dead-lettered.
                long next = clock.GetUtcNow().AddSeconds(Math.Pow(2, item.Row.Attempts)).ToUnixTimeMilliseconds();
                logger.LogError(ex, "Inbox row {InboxId} failed (attempt {Attempt} of {Max})", item.Row.Id, item.Row.Attempts + 1, settings.MaxAttempts);
                await queue.MarkFailedAsync(connection, null, item.Row.Id, $"{ex.GetType().Name}: {ex.Message}", settings.MaxAttempts, next, ct);
            }
        }
        foreach (var (row, error) in unreadable)
            await queue.MarkDeadAsync(connection, null, row.Id, error, ct);
        return new InboxPass(parsed.Count + unreadable.Count, processed, unreadable.Count, failed, null);
    }
}
