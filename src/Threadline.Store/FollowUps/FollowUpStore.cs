using System.Data.Common;
using System.Text.Json;
using Dapper;
using Threadline.Pipeline.FollowUp;

namespace Threadline.Store.FollowUps;

/// <summary>A follow-up to schedule: the plan for one conversation's silence, with the reasons for its time.</summary>
public sealed record FollowUpRecord(long ConversationId, long ContactId, int Attempt, DateTimeOffset SilenceSince, DateTimeOffset DueAt,
    string Kind, string ReasonsJson, int PolicyVersion);

/// <summary>A follow-up row as stored.</summary>
public sealed class FollowUpRow
{
    public long Id { get; init; }
    public long ConversationId { get; init; }
    public long ContactId { get; init; }
    public int Attempt { get; init; }
    public long SilenceSince { get; init; }
    public long DueAt { get; init; }
    public string Kind { get; init; } = "";
    public string State { get; init; } = "";
    public int PolicyVersion { get; init; }
    public bool Replan { get; init; }
    public string Reasons { get; init; } = "[]";
    public string? Outcome { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public const string Columns =
        "id AS Id, conversation_id AS ConversationId, contact_id AS ContactId, attempt AS Attempt, silence_since AS SilenceSince, due_at AS DueAt, " +
        "kind AS Kind, state AS State, policy_version AS PolicyVersion, replan AS Replan, reasons AS Reasons, outcome AS Outcome, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt";
}

/// <summary>
/// Follow-up rows: scheduled in the transaction of the message that started the silence (a newer plan for the same
/// conversation replaces the pending one), cancelled in the transaction of any inbound message of that conversation,
/// and claimed when due (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so several instances fire each one once). The due
/// scan reads the partial index of pending rows in due order: its cost is the batch, not the number pending.
/// </summary>
public sealed class FollowUpStore(Database db)
{
    /// <summary>Replaces each conversation's pending follow-up with the new plan.</summary>
    public async Task ScheduleAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<FollowUpRecord> plans, long nowMs, CancellationToken ct)
    {
        if (plans.Count == 0) return;
        await CancelAsync(c, tx, plans.Select(p => p.ConversationId).Distinct().ToList(), "replaced by a newer plan", nowMs, ct);
        await StatementBatch.ExecuteAsync(c, tx,
            "INSERT INTO follow_ups (conversation_id, contact_id, attempt, silence_since, due_at, kind, state, policy_version, replan, reasons, created_at, updated_at) " +
            "VALUES (@conversation, @contact, @attempt, @since, @due, @kind, 'pending', @version, FALSE, @reasons, @now, @now)",
            ["conversation bigint", "contact bigint", "attempt integer", "since bigint", "due bigint", "kind text", "version integer", "reasons text", "now bigint"], plans.ToList(),
            p => [p.ConversationId, p.ContactId, p.Attempt, p.SilenceSince.ToUnixTimeMilliseconds(), p.DueAt.ToUnixTimeMilliseconds(), p.Kind,
                p.PolicyVersion, p.ReasonsJson, nowMs], ct);
    }

    /// <summary>Cancels the pending follow-ups of these conversations; returns how many.</summary>
    public Task<int> CancelAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<long> conversationIds, string why, long nowMs, CancellationToken ct)
    {
        if (conversationIds.Count == 0) return Task.FromResult(0);
        var ids = conversationIds.ToArray();
        return c.ExecuteAsync(new CommandDefinition(
            $"UPDATE follow_ups SET state = 'cancelled', outcome = @why, updated_at = @now WHERE {db.Dialect.InList("conversation_id", "ids")} AND state = 'pending'",
            new { ids = db.Dialect.List(ids), why, now = nowMs }, tx, cancellationToken: ct));
    }

    /// <summary>Due pending rows, oldest due first, locked for this transaction (skipped by other instances).</summary>
    public async Task<List<FollowUpRow>> ClaimDueAsync(DbConnection c, DbTransaction tx, int max, long nowMs, CancellationToken ct) =>
        (await c.QueryAsync<FollowUpRow>(new CommandDefinition(
            $"SELECT {FollowUpRow.Columns} FROM follow_ups WHERE state = 'pending' AND due_at <= @now ORDER BY due_at, id LIMIT @max{db.Dialect.SkipLocked}",
            new { now = nowMs, max }, tx, cancellationToken: ct))).AsList();

    public Task SettleAsync(DbConnection c, DbTransaction tx, long id, string state, string outcome, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE follow_ups SET state = @state, outcome = @outcome, updated_at = @now WHERE id = @id AND state = 'pending'",
            new { id, state, outcome, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>A due row whose plan moved later (the policy changed): new time, kind and reasons.</summary>
    public Task RescheduleAsync(DbConnection c, DbTransaction tx, long id, long dueAtMs, string kind, string reasonsJson, int policyVersion, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE follow_ups SET due_at = @due, kind = @kind, reasons = @reasons, policy_version = @version, replan = FALSE, updated_at = @now WHERE id = @id AND state = 'pending'",
            new { id, due = dueAtMs, kind, reasons = reasonsJson, version = policyVersion, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Follow-ups fired in each conversation since the contact last wrote (the silence's count so far).</summary>
    public async Task<Dictionary<long, int>> FiredSinceLastInboundAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long> conversationIds, CancellationToken ct)
    {
        if (conversationIds.Count == 0) return [];
        var ids = conversationIds.ToArray();
        return (await c.QueryAsync<(long ConversationId, long Count)>(new CommandDefinition(
            "SELECT f.conversation_id, CAST(COUNT(*) AS BIGINT) FROM follow_ups f JOIN conversations v ON v.id = f.conversation_id " +
            $"WHERE {db.Dialect.InList("f.conversation_id", "ids")} AND f.state = 'fired' AND f.silence_since >= COALESCE(v.last_inbound_at, 0) GROUP BY f.conversation_id",
            new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct))).ToDictionary(r => r.ConversationId, r => (int)r.Count);
    }

    /// <summary>A policy change applies to follow-ups not yet sent: every pending one is re-planned at once by the scheduler.</summary>
    public Task<int> ReplanPendingAsync(DbConnection c, DbTransaction tx, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE follow_ups SET replan = TRUE, due_at = CASE WHEN due_at > @now THEN @now ELSE due_at END, updated_at = @now WHERE state = 'pending'",
            new { now = nowMs }, tx, cancellationToken: ct));

    public async Task<List<FollowUpRow>> ListAsync(long? conversationId, string? state, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var where = new List<string>();
        if (conversationId is not null) where.Add("conversation_id = @conversationId");
        if (state is not null) where.Add("state = @state");
        return (await c.QueryAsync<FollowUpRow>(new CommandDefinition(
            $"SELECT {FollowUpRow.Columns} FROM follow_ups {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY id DESC LIMIT @limit",
            new { conversationId, state, limit }, cancellationToken: ct))).AsList();
    }
}

/// <summary>One saved version of the follow-up policy.</summary>
public sealed record PolicyVersion(int Version, FollowUpPolicyDocument Document, string? ChangedBy, string? Note, DateTimeOffset CreatedAt);

/// <summary>
/// The follow-up policy, versioned: every change is a new row (nothing is overwritten), the newest is in force. Version 0
/// is the built-in default until someone saves one. Read through a cache of at most a second, refreshed at once after a
/// change made in this process.
/// </summary>
public sealed class FollowUpPolicyStore(Database db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private (long LoadedAt, int Version, FollowUpPolicy Policy)? _cached;

    public static readonly PolicyVersion Builtin = new(0, FollowUpPolicyDocument.From(FollowUpPolicy.Default), null, "built-in default", DateTimeOffset.UnixEpoch);

    public async Task<(int Version, FollowUpPolicy Policy)> CurrentAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        long now = clock.GetTimestamp();
        if (_cached is { } hit && clock.GetElapsedTime(hit.LoadedAt, now) < TimeSpan.FromSeconds(1)) return (hit.Version, hit.Policy);
        var row = await LatestAsync(c, tx, ct);
        _cached = (now, row.Version, row.Document.ToPolicy());
        return (row.Version, _cached.Value.Policy);
    }

    public async Task<PolicyVersion> LatestAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<(long Version, string Policy, string? ChangedBy, string? Note, long CreatedAt)?>(new CommandDefinition(
            "SELECT CAST(version AS BIGINT), policy, changed_by, note, created_at FROM follow_up_policies ORDER BY version DESC LIMIT 1", transaction: tx, cancellationToken: ct));
        return row is { } r ? new PolicyVersion((int)r.Version, JsonSerializer.Deserialize<FollowUpPolicyDocument>(r.Policy, Json)!, r.ChangedBy, r.Note,
            DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)) : Builtin;
    }

    public async Task<List<PolicyVersion>> VersionsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Version, string Policy, string? ChangedBy, string? Note, long CreatedAt)>(new CommandDefinition(
            "SELECT CAST(version AS BIGINT), policy, changed_by, note, created_at FROM follow_up_policies ORDER BY version DESC", cancellationToken: ct));
        return rows.Select(r => new PolicyVersion((int)r.Version, JsonSerializer.Deserialize<FollowUpPolicyDocument>(r.Policy, Json)!, r.ChangedBy, r.Note,
            DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).Append(Builtin).ToList();
    }

    /// <summary>Saves a validated document as the next version (optimistic: <paramref name="expectedVersion"/> must still be the newest) and marks pending follow-ups for re-planning, in one transaction.</summary>
    public async Task<PolicyVersion?> SaveAsync(FollowUpPolicyDocument document, int? expectedVersion, string? changedBy, string? note, FollowUpStore followUps, CancellationToken ct)
    {
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        int latest = (await LatestAsync(c, tx, ct)).Version;
        if (expectedVersion is { } expected && expected != latest) return null;
        int version = latest + 1;
        try
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO follow_up_policies (version, policy, changed_by, note, created_at) VALUES (@version, @policy, @changedBy, @note, @now)",
                new { version, policy = JsonSerializer.Serialize(document, Json), changedBy, note, now }, tx, cancellationToken: ct));
        }
        catch (DbException) when (expectedVersion is not null)
        {
            return null; // another instance saved the same version first
        }
        await followUps.ReplanPendingAsync(c, tx, now, ct);
        await tx.CommitAsync(ct);
        _cached = null;
        return new PolicyVersion(version, document, changedBy, note, DateTimeOffset.FromUnixTimeMilliseconds(now));
    }
}
