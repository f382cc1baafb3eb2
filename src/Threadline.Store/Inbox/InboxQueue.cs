using System.Data.Common;
using Dapper;

namespace Threadline.Store.Inbox;

/// <summary>A durable inbox row waiting to be processed. (Classes, not positional records: Dapper maps properties by name
/// and converts SQLite's 64-bit integers, where constructor mapping would demand exact types.)</summary>
public sealed class InboxRow
{
    public long Id { get; init; }
    public long ReceivedAt { get; init; }
    public byte[] Body { get; init; } = [];
    public int Attempts { get; init; }
}

/// <summary>A dead-lettered inbox row, for <c>threadline inbox dead</c>.</summary>
public sealed class DeadLetter
{
    public long Id { get; init; }
    public long ReceivedAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public long BodyBytes { get; init; }
}

/// <summary>Counts for <c>GET /api/v1/inbox/stats</c>.</summary>
public sealed record InboxStats(long Received, long Processed, long Pending, long DeadLettered);

/// <summary>
/// The inbox's state machine in SQL: pending (0) → processed (1), or → dead-lettered (2) after repeated failures.
/// The state rows are narrow (the bodies are in <c>inbox_bodies</c>, written once), so marking a batch rewrites few pages.
/// Claims are in id order (arrival order). On PostgreSQL they lock rows with SKIP LOCKED so several instances share
/// the work; the caller holds the transaction until its results are written.
/// </summary>
public sealed class InboxQueue(Database db)
{
    public const int Pending = 0, Processed = 1, Dead = 2;

    /// <summary>
    /// The next pending rows due now, in id order. <paramref name="after"/> &gt; 0 (SQLite, where the worker's processed
    /// rows stay pending until their marks are written, see <see cref="ProcessedMarks"/>): only rows after that id, plus
    /// rows that failed before and are due again. Two range reads, each on an index of its own (pending; retries), so a
    /// claim never reads the rows that wait for their marks.
    /// </summary>
    public async Task<IReadOnlyList<InboxRow>> ClaimAsync(DbConnection connection, DbTransaction? tx, int max, long nowMs, CancellationToken ct, long after = 0)
    {
        if (after <= 0)
            return await QueryList<InboxRow>(connection, new CommandDefinition(ClaimSql(db.Dialect), new { now = nowMs, max }, tx, cancellationToken: ct));
        // (INDEXED BY: statistics from an ANALYZE could talk SQLite into the pending index, which holds every waiting row.)
        var retries = await QueryList<InboxRow>(connection, new CommandDefinition(
            Select(db.Provider == StorageProvider.Sqlite ? "INDEXED BY ix_inbox_retry " : "") +
            "WHERE i.state = 0 AND i.attempts > 0 AND i.id <= @after AND i.next_attempt_at <= @now ORDER BY i.id LIMIT @max" + db.Dialect.SkipLockedOf("i"),
            new { now = nowMs, max, after }, tx, cancellationToken: ct));
        var fresh = await QueryList<InboxRow>(connection, new CommandDefinition(
            Select() + "WHERE i.state = 0 AND i.id > @after AND i.next_attempt_at <= @now ORDER BY i.id LIMIT @max" + db.Dialect.SkipLockedOf("i"),
            new { now = nowMs, max = max - Math.Min(max, retries.Count), after }, tx, cancellationToken: ct));
        return retries.Count == 0 ? fresh : [.. retries, .. fresh];
    }

    /// <summary>The claim from the first pending row, parameters <c>@now</c> and <c>@max</c> (internal: the plan tests read it).</summary>
    internal static string ClaimSql(SqlDialect dialect) =>
        Select() + "WHERE i.state = 0 AND i.next_attempt_at <= @now ORDER BY i.id LIMIT @max" + dialect.SkipLockedOf("i");

    /// <summary>A claim's columns: the state row with its body (<paramref name="index"/>: SQLite's INDEXED BY, or nothing).</summary>
    private static string Select(string index = "") =>
        $"SELECT i.id AS Id, i.received_at AS ReceivedAt, b.body AS Body, i.attempts AS Attempts FROM inbox i {index}JOIN inbox_bodies b ON b.id = i.id ";

    // Ids are our own longs, so inlining them is safe and keeps one statement shape for both providers.
    public Task MarkProcessedAsync(DbConnection connection, DbTransaction tx, IReadOnlyCollection<long> ids, long nowMs, CancellationToken ct) =>
        ids.Count == 0 ? Task.CompletedTask : connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbox SET state = 1, processed_at = @now, last_error = NULL WHERE id IN (" + string.Join(',', ids) + ")",
            new { now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Records a failed attempt; the row is retried with backoff, and dead-lettered once it reaches <paramref name="maxAttempts"/>.</summary>
    public Task MarkFailedAsync(DbConnection connection, DbTransaction? tx, long id, string error, int maxAttempts, long nextAttemptAt, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, " +
            "state = CASE WHEN attempts + 1 >= @max THEN 2 ELSE 0 END WHERE id = @id",
            new { id, error = Truncate(error), next = nextAttemptAt, max = maxAttempts }, tx, cancellationToken: ct));

    /// <summary>Dead-letters a row at once: for bodies that can never be read, retrying changes nothing.</summary>
    public Task MarkDeadAsync(DbConnection connection, DbTransaction? tx, long id, string error, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbox SET attempts = attempts + 1, last_error = @error, state = 2 WHERE id = @id",
            new { id, error = Truncate(error) }, tx, cancellationToken: ct));

    public async Task<IReadOnlyList<DeadLetter>> DeadAsync(int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenInboxAsync(ct: ct);
        string length = db.Provider == StorageProvider.Postgres ? "CAST(octet_length(b.body) AS BIGINT)" : "CAST(length(b.body) AS BIGINT)";
        return await QueryList<DeadLetter>(connection, new CommandDefinition(
            $"SELECT i.id AS Id, i.received_at AS ReceivedAt, i.attempts AS Attempts, i.last_error AS LastError, {length} AS BodyBytes " +
            "FROM inbox i JOIN inbox_bodies b ON b.id = i.id WHERE i.state = 2 ORDER BY i.id LIMIT @limit", new { limit }, cancellationToken: ct));
    }

    /// <summary>
    /// Puts a dead-lettered row back into the queue for one more attempt. Its attempt count is kept (it tells how often
    /// the row failed), so if that attempt fails too it is dead-lettered again at once. False when no dead letter has that id.
    /// </summary>
    public async Task<bool> RetryAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenInboxAsync(ct: ct);
        using var turn = await db.InboxWriteTurnAsync(ct);
        int changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbox SET state = 0, next_attempt_at = 0 WHERE id = @id AND state = 2", new { id }, cancellationToken: ct));
        return changed == 1;
    }

    /// <summary>Whether any row waits to be processed: one probe of the pending rows' partial index.</summary>
    public async Task<bool> AnyPendingAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenInboxAsync(ct: ct);
        return await connection.QuerySingleAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM inbox WHERE state = 0)", cancellationToken: ct));
    }

    public async Task<InboxStats> StatsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenInboxAsync(ct: ct);
        // Pending and dead-lettered rows are counted on their partial indexes; only the total reads the whole table.
        var (received, pending, dead) = await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition(
            "SELECT (SELECT COUNT(*) FROM inbox), (SELECT COUNT(*) FROM inbox WHERE state = 0), (SELECT COUNT(*) FROM inbox WHERE state = 2)",
            cancellationToken: ct));
        return new InboxStats(received, received - pending - dead, pending, dead);
    }

    private static string Truncate(string error) => error.Length <= 4000 ? error : error[..4000];

    private static async Task<IReadOnlyList<T>> QueryList<T>(DbConnection connection, CommandDefinition command) =>
        (await connection.QueryAsync<T>(command)).AsList();
}
