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

    /// <summary>Queues a verified body and completes when it is committed to the store.</summary>
    public async Task AppendAsync(byte[] body, CancellationToken ct)
    {
        var receipt = new PendingReceipt(body, clock.GetUtcNow().ToUnixTimeMilliseconds());
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
                    connection ??= await db.OpenAsync(ct);
                    await WriteAsync(connection, batch, ct);
                    foreach (var receipt in batch) receipt.Done.TrySetResult();
                    Committed?.Invoke();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
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
        finally
        {
            foreach (var receipt in batch) receipt.Done.TrySetCanceled();
            while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private async Task WriteAsync(DbConnection connection, List<PendingReceipt> batch, CancellationToken ct)
    {
        const string sql = "INSERT INTO inbox (received_at, body, body_sha256) VALUES (@at, @body, @sha) ON CONFLICT (body_sha256) DO NOTHING";
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (connection.CanCreateBatch)
        {
            // PostgreSQL: one round trip for the whole batch.
            await using var dbBatch = connection.CreateBatch();
            dbBatch.Transaction = tx;
            foreach (var receipt in batch)
            {
                var command = dbBatch.CreateBatchCommand();
                command.CommandText = sql;
                AddParameters(command.Parameters, command.CreateParameter, receipt);
                dbBatch.BatchCommands.Add(command);
            }
            await dbBatch.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // SQLite: one prepared statement reused for every row; the commit is the only fsync.
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            foreach (var receipt in batch)
            {
                command.Parameters.Clear();
                AddParameters(command.Parameters, command.CreateParameter, receipt);
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
    }

    private static void AddParameters(DbParameterCollection parameters, Func<DbParameter> create, PendingReceipt receipt)
    {
        parameters.Add(Parameter(create, "at", receipt.ReceivedAt));
        parameters.Add(Parameter(create, "body", receipt.Body));
        parameters.Add(Parameter(create, "sha", Convert.ToHexStringLower(SHA256.HashData(receipt.Body))));
    }

    private static DbParameter Parameter(Func<DbParameter> create, string name, object value)
    {
        var p = create();
        p.ParameterName = name;
        p.Value = value;
        return p;
    }

    private sealed record PendingReceipt(byte[] Body, long ReceivedAt)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
