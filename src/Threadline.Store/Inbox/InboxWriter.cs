using System.Buffers.Binary;
using System.Data.Common;
using System.Security.Cryptography;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Threadline.Store.Inbox;

/// <summary>
/// The durable write path of the webhook endpoint, with group commit: requests queue their raw body, one loop writes
/// everything queued so far in a single transaction and completes all of them when it has committed. So a 200 goes to
/// WhatsApp only after the body is on disk, yet a burst of requests pays one fsync, not one each.
/// Modelled on Serilog's BatchingSink: a bounded channel, one reader, batches, catch-and-log per batch, drain on stop.
/// </summary>
public sealed class InboxWriter(Database db, TimeProvider clock, ILogger<InboxWriter> logger)
{
    /// <summary>Most rows one commit carries: bounds transaction size and the latency of the requests in it.</summary>
    public const int MaxBatch = 512;

    // Bounded so that a stalled disk pushes back on requests (they wait, then time out and WhatsApp retries)
    // instead of holding an unbounded number of bodies in memory.
    private readonly Channel<PendingReceipt> _queue = Channel.CreateBounded<PendingReceipt>(new BoundedChannelOptions(16_384)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Raised after each commit, so the inbox worker picks new rows up at once instead of at its next poll.</summary>
    public event Action? Committed;

    private long _committedBodies;

    /// <summary>Bodies committed since start: lets the worker see whether webhooks are arriving right now.</summary>
    public long CommittedBodies => Interlocked.Read(ref _committedBodies);

    /// <summary>Bodies remembered to catch byte-identical redeliveries (~130 bytes each; see <see cref="RecentBodies"/>).</summary>
    public const int RecentBodiesRemembered = 65_536;

    private readonly RecentBodies _recent = new(RecentBodiesRemembered);

    /// <summary>
    /// Queues a verified body and completes when it is committed to the store; a byte-identical copy of a body taken
    /// recently completes when that one is committed, and adds no row.
    /// </summary>
    public async Task AppendAsync(byte[] body, CancellationToken ct)
    {
        // Hashed here, on the request's thread, so the single writer loop only writes.
        byte[] hash = SHA256.HashData(body);
        var receipt = new PendingReceipt(body, Convert.ToHexStringLower(hash), clock.GetUtcNow().ToUnixTimeMilliseconds(), clock.GetTimestamp());
        if (_recent.Join(BinaryPrimitives.ReadUInt128LittleEndian(hash), receipt.Done.Task) is { } earlier)
        {
            await earlier.WaitAsync(ct);
            return;
        }
        try
        {
            await _queue.Writer.WriteAsync(receipt, ct);
        }
        catch (Exception ex)
        {
            // Never queued, so never committed: complete it, so that an identical redelivery is written instead of waiting.
            if (ex is OperationCanceledException) receipt.Done.TrySetCanceled(ct);
            else receipt.Done.TrySetException(ex);
            throw;
        }
        await receipt.Done.Task.WaitAsync(ct);
    }

    /// <summary>Stops taking new bodies; <see cref="RunAsync"/> then drains what is queued and returns.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The single writer loop. Runs until the queue is completed and drained, or <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var batch = new List<PendingReceipt>(MaxBatch);
        DbConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var receipt))
                    batch.Add(receipt);
                try
                {
                    connection ??= await db.OpenInboxAsync(ct: ct);
                    await WriteAsync(connection, batch, ct);
                    long durable = clock.GetTimestamp();
                    foreach (var receipt in batch)
                    {
                        StoreMetrics.InboxDurableWait.Record(clock.GetElapsedTime(receipt.QueuedAt, durable).TotalMilliseconds);
                        receipt.Done.TrySetResult();
                    }
                    Interlocked.Add(ref _committedBodies, batch.Count);
                    Committed?.Invoke();
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // The requests in this batch get an error (503): WhatsApp retries them. Nothing was acknowledged.
                    logger.LogError(ex, "Inbox commit of {Count} webhook bodies failed", batch.Count);
                    foreach (var receipt in batch) receipt.Done.TrySetException(ex);
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                    await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutdown ran out of time: whatever is still queued was never acknowledged, so WhatsApp will retry it.
        }
        finally
        {
            foreach (var receipt in batch) receipt.Done.TrySetCanceled();
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private async Task WriteAsync(DbConnection connection, List<PendingReceipt> batch, CancellationToken ct)
    {
        using var turn = await db.InboxWriteTurnAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Appends only: a state row (its id from the store), and the body under the same id. The commit below is the
        // only fsync for the whole batch.
        if (connection is SqliteConnection sqlite)
        {
            using var state = new SqliteStatement(sqlite, "INSERT INTO inbox (received_at) VALUES (@p0)", ["@p0"]);
            using var bodies = new SqliteStatement(sqlite, "INSERT INTO inbox_bodies (id, body, body_sha256) VALUES (@p0, @p1, @p2)", ["@p0", "@p1", "@p2"]);
            foreach (var r in batch)
            {
                state.Execute([r.ReceivedAt]);
                bodies.Execute([state.LastInsertRowId, r.Body, r.Sha256]);
            }
        }
        else
        {
            // One statement: ids from the inbox's own sequence, then both rows. (The body's foreign key is checked at
            // the end of the statement, when the state rows exist.)
            await connection.ExecuteAsync(new CommandDefinition("""
                WITH received AS (
                    SELECT nextval(pg_get_serial_sequence('inbox', 'id')) AS id, r.received_at, r.body, r.body_sha256
                    FROM unnest(@receivedAt, @body, @sha) AS r (received_at, body, body_sha256)),
                state AS (INSERT INTO inbox (id, received_at) SELECT id, received_at FROM received)
                INSERT INTO inbox_bodies (id, body, body_sha256) SELECT id, body, body_sha256 FROM received
                """,
                new { receivedAt = batch.Select(r => r.ReceivedAt).ToArray(), body = batch.Select(r => r.Body).ToArray(), sha = batch.Select(r => r.Sha256).ToArray() },
                tx, cancellationToken: ct));
        }
        long committing = clock.GetTimestamp();
        await tx.CommitAsync(ct);
        StoreMetrics.InboxCommitDuration.Record(clock.GetElapsedTime(committing).TotalMilliseconds);
        StoreMetrics.InboxCommitBodies.Record(batch.Count);
    }

    /// <param name="QueuedAt">When the request queued it (<see cref="TimeProvider.GetTimestamp"/>), for <see cref="StoreMetrics.InboxDurableWait"/>.</param>
    private sealed record PendingReceipt(byte[] Body, string Sha256, long ReceivedAt, long QueuedAt)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
