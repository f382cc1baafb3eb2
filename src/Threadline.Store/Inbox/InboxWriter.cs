using System.Data.Common;
using System.Security.Cryptography;
using System.Threading.Channels;
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

    /// <summary>Queues a verified body and completes when it is committed to the store.</summary>
    public async Task AppendAsync(byte[] body, CancellationToken ct)
    {
        // Hashed here, on the request's thread, so the single writer loop only writes.
        var receipt = new PendingReceipt(body, Convert.ToHexStringLower(SHA256.HashData(body)), clock.GetUtcNow().ToUnixTimeMilliseconds());
        await _queue.Writer.WriteAsync(receipt, ct);
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
                    foreach (var receipt in batch) receipt.Done.TrySetResult();
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
        // The commit below is the only fsync for the whole batch.
        await BulkInsert.ExecuteAsync(db.Dialect, connection, tx, "INSERT INTO inbox (received_at, body, body_sha256)",
            "ON CONFLICT (body_sha256) DO NOTHING", "body_sha256", batch, r => [r.ReceivedAt, r.Body, r.Sha256], r => r.Sha256, ct);
        await tx.CommitAsync(ct);
    }

    private sealed record PendingReceipt(byte[] Body, string Sha256, long ReceivedAt)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
