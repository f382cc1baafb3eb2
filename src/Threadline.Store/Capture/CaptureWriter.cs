using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Threadline.Pipeline.Capture;

namespace Threadline.Store.Capture;

/// <summary>What one write changed, for logs and the live view.</summary>
public sealed record CaptureWriteResult(int MessagesStored, int DuplicateMessages, int StatusesStored, int EventsStored);

/// <summary>
/// Writes capture's decisions inside the caller's transaction. Idempotent by unique keys, never by a prior check:
/// a message id is stored once, a status once per (message, status), an event once per identical payload. Statuses and
/// edits that arrive before their message are stored and applied when it arrives; a status never moves backwards.
/// Batch-shaped: one multi-row statement per kind of record, and follow-up work only for what was actually new.
/// </summary>
public sealed class CaptureWriter(Database db)
{
    public async Task<CaptureWriteResult> WriteAsync(DbConnection c, DbTransaction tx, CaptureDecision decision, long nowMs, CancellationToken ct)
    {
        await UpsertUsersAsync(c, tx, decision.Users, nowMs, ct);
        var inserted = await InsertMessagesAsync(c, tx, decision.Messages, nowMs, ct);
        if (inserted.Count > 0)
            await ApplyLateArrivalsAsync(c, tx, decision.Messages.Where(m => inserted.Contains(m.WaMessageId)).ToList(), ct);
        int statuses = await InsertStatusesAsync(c, tx, decision.Statuses, nowMs, ct);

        int events = 0;
        foreach (var preference in decision.Preferences)
        {
            await ApplyPreferenceAsync(c, tx, preference, nowMs, ct);
            var asEvent = new BusinessEvent("user_preferences", $"{preference.Category}:{preference.Value}", null, preference.Timestamp, preference.RawJson);
            if (await InsertEventAsync(c, tx, asEvent, nowMs, ct)) events++;
        }
        foreach (var e in decision.Events)
            if (await InsertEventAsync(c, tx, e, nowMs, ct)) events++;
        return new CaptureWriteResult(inserted.Count, decision.Messages.Count - inserted.Count, statuses, events);
    }

    private SqlDialect Dialect => db.Dialect;

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string? WaId { get; init; }
        public string? UserId { get; init; }
        public string? ParentUserId { get; init; }
        public string? Username { get; init; }
        public string? ProfileName { get; init; }
    }

    /// <summary>One read for the whole batch; writes only for users that are new or whose profile changed.</summary>
    private async Task UpsertUsersAsync(DbConnection c, DbTransaction tx, IReadOnlyList<WhatsAppUser> users, long nowMs, CancellationToken ct)
    {
        if (users.Count == 0) return;
        var known = await KnownUsersAsync(c, tx, users, ct);
        // New users in one bulk insert; a user that another row already names (by wa_id or user id) is skipped by the
        // unique keys and refreshed below instead.
        var fresh = users.Where(u => !known.Any(k => (u.WaId is not null && k.WaId == u.WaId) || (u.UserId is not null && k.UserId == u.UserId))).ToList();
        var inserted = await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO wa_users (wa_id, user_id, parent_user_id, username, profile_name, first_seen_at)", "ON CONFLICT DO NOTHING",
            "COALESCE(user_id, wa_id)", fresh, u => [u.WaId, u.UserId, u.ParentUserId, u.Username, u.ProfileName, nowMs], u => (u.UserId ?? u.WaId)!, ct);
        var rest = users.Except(inserted).ToList();
        if (rest.Count > 0 && inserted.Count > 0)
            known = await KnownUsersAsync(c, tx, rest, ct); // one just inserted may be the row a later mention refreshes
        foreach (var user in rest)
            await UpsertUserAsync(c, tx, user, known, nowMs, ct);
    }

    private async Task<List<UserRow>> KnownUsersAsync(DbConnection c, DbTransaction tx, IReadOnlyList<WhatsAppUser> users, CancellationToken ct)
    {
        var waIds = users.Where(u => u.WaId is not null).Select(u => u.WaId!).Distinct().ToArray();
        var userIds = users.Where(u => u.UserId is not null).Select(u => u.UserId!).Distinct().ToArray();
        return (await c.QueryAsync<UserRow>(new CommandDefinition(
            "SELECT id AS Id, wa_id AS WaId, user_id AS UserId, parent_user_id AS ParentUserId, username AS Username, profile_name AS ProfileName " +
            $"FROM wa_users WHERE {Dialect.InList("wa_id", "waIds")} OR {Dialect.InList("user_id", "userIds")}",
            new { waIds = Dialect.List(waIds), userIds = Dialect.List(userIds) }, tx, cancellationToken: ct))).AsList();
    }

    private static async Task UpsertUserAsync(DbConnection c, DbTransaction tx, WhatsAppUser user, List<UserRow> known, long nowMs, CancellationToken ct)
    {
        var byUserId = user.UserId is null ? null : known.FirstOrDefault(k => k.UserId == user.UserId);
        var byWaId = user.WaId is null ? null : known.FirstOrDefault(k => k.WaId == user.WaId);
        if (byUserId is null && byWaId is null)
        {
            long id = await c.QuerySingleAsync<long>(new CommandDefinition(
                "INSERT INTO wa_users (wa_id, user_id, parent_user_id, username, profile_name, first_seen_at) " +
                "VALUES (@WaId, @UserId, @ParentUserId, @Username, @ProfileName, @now) RETURNING id",
                new { user.WaId, user.UserId, user.ParentUserId, user.Username, user.ProfileName, now = nowMs }, tx, cancellationToken: ct));
            known.Add(new UserRow { Id = id, WaId = user.WaId, UserId = user.UserId, ParentUserId = user.ParentUserId, Username = user.Username, ProfileName = user.ProfileName });
            return;
        }
        // Two rows (one known by wa_id, one by user id) are for identity resolution to reconcile; here we only refresh
        // the row the user id names, and never move a wa_id between rows.
        var row = byUserId ?? byWaId!;
        string? newWaId = row.WaId is null && (byWaId is null || byWaId == row) ? user.WaId : null;
        bool changed = newWaId is not null
            || (row.UserId is null && user.UserId is not null)
            || (user.ParentUserId is not null && user.ParentUserId != row.ParentUserId)
            || (user.Username is not null && user.Username != row.Username)
            || (user.ProfileName is not null && user.ProfileName != row.ProfileName);
        if (!changed) return;
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE wa_users SET wa_id = COALESCE(wa_id, @w), user_id = COALESCE(user_id, @u), parent_user_id = COALESCE(@ParentUserId, parent_user_id), " +
            "username = COALESCE(@Username, username), profile_name = COALESCE(@ProfileName, profile_name) WHERE id = @id",
            new { id = row.Id, w = newWaId, u = user.UserId, user.ParentUserId, user.Username, user.ProfileName }, tx, cancellationToken: ct));
        known.Remove(row);
        known.Add(new UserRow
        {
            Id = row.Id, WaId = row.WaId ?? newWaId, UserId = row.UserId ?? user.UserId, ParentUserId = user.ParentUserId ?? row.ParentUserId,
            Username = user.Username ?? row.Username, ProfileName = user.ProfileName ?? row.ProfileName,
        });
    }

    /// <summary>Inserts the batch's messages; the result names exactly those that were new (duplicates hit the unique key).</summary>
    private async Task<HashSet<string>> InsertMessagesAsync(DbConnection c, DbTransaction tx, IReadOnlyList<WaMessage> messages, long nowMs, CancellationToken ct)
    {
        var inserted = await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO messages (wa_message_id, direction, sent_by, wa_id, user_id, phone_number_id, type, text, timestamp, status, status_rank, " +
            "reply_to_message_id, ref_message_id, forwarded, error_code, raw_json, stored_at)",
            "ON CONFLICT (wa_message_id) DO NOTHING", "wa_message_id", messages, m =>
            {
                string status = m.Direction == MessageDirection.Inbound ? DeliveryStatus.Received : DeliveryStatus.Sent;
                return
                [
                    m.WaMessageId, m.Direction == MessageDirection.Inbound ? "in" : "out", m.SentBy.ToString().ToLowerInvariant(), m.WaId, m.UserId,
                    m.BusinessPhoneNumberId, m.Type, m.Text, m.Timestamp.ToUnixTimeMilliseconds(), status, DeliveryStatus.Rank(status),
                    m.ReplyToMessageId, m.RefMessageId, m.Forwarded || m.FrequentlyForwarded, m.Errors.Count > 0 ? m.Errors[0].Code : null, m.RawJson, nowMs,
                ];
            }, m => m.WaMessageId, ct);
        return inserted.Select(m => m.WaMessageId).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>For messages that were new: apply statuses, edits and revokes that arrived before them, and apply edits and revokes among them.</summary>
    private async Task ApplyLateArrivalsAsync(DbConnection c, DbTransaction tx, List<WaMessage> fresh, CancellationToken ct)
    {
        var outbound = fresh.Where(m => m.Direction == MessageDirection.Outbound).Select(m => m.WaMessageId).ToList();
        if (outbound.Count > 0)
        {
            var early = await c.QueryAsync<(string Id, string Status, long Rank, long Timestamp)>(new CommandDefinition(
                $"SELECT wa_message_id, status, status_rank, timestamp FROM message_statuses WHERE {Dialect.InList("wa_message_id", "outbound")} AND status_rank >= 0",
                new { outbound = Dialect.List(outbound) }, tx, cancellationToken: ct));
            foreach (var best in early.GroupBy(s => s.Id).Select(g => g.MaxBy(s => s.Rank)))
                await ApplyStatusAsync(c, tx, best.Id, best.Status, (int)best.Rank, best.Timestamp, null, ct);
        }

        foreach (var change in fresh.Where(m => m.RefMessageId is not null && m.Type is "edit" or "revoke"))
            await ApplyChangeAsync(c, tx, change.RefMessageId!, change.Type, change.Text, change.Timestamp.ToUnixTimeMilliseconds(), ct);

        if (fresh.Count == 0) return;
        // One probe of the edits' and revokes' partial index per message (ix_messages_changes), in one statement.
        var waiting = await c.QueryAsync<(string Ref, string Type, string? Text, long Timestamp)>(new CommandDefinition(
            LateChangesSql(Dialect), new { chunk = Dialect.List(fresh.Select(m => m.WaMessageId)) }, tx, cancellationToken: ct));
        foreach (var w in waiting)
            await ApplyChangeAsync(c, tx, w.Ref, w.Type, w.Text, w.Timestamp, ct);
    }

    /// <summary>Edits and revokes waiting for the messages of <c>@chunk</c> (an <see cref="SqlDialect.InList"/> list). Its
    /// condition on type is the one of the partial index <c>ix_messages_changes</c> (migration 0008), which it must use.</summary>
    internal static string LateChangesSql(SqlDialect dialect) =>
        $"SELECT ref_message_id, type, text, timestamp FROM messages WHERE {dialect.InList("ref_message_id", "chunk")} AND type IN ('edit', 'revoke') ORDER BY timestamp, id";

    private static Task ApplyChangeAsync(DbConnection c, DbTransaction tx, string target, string type, string? text, long at, CancellationToken ct) =>
        type == "revoke"
            ? c.ExecuteAsync(new CommandDefinition(
                "UPDATE messages SET revoked_at = @at WHERE wa_message_id = @target AND revoked_at IS NULL", new { target, at }, tx, cancellationToken: ct))
            : c.ExecuteAsync(new CommandDefinition(
                "UPDATE messages SET original_text = CASE WHEN edited_at IS NULL THEN text ELSE original_text END, text = @text, edited_at = @at " +
                "WHERE wa_message_id = @target AND (edited_at IS NULL OR edited_at <= @at)", new { target, text, at }, tx, cancellationToken: ct));

    private async Task<int> InsertStatusesAsync(DbConnection c, DbTransaction tx, IReadOnlyList<StatusUpdate> statuses, long nowMs, CancellationToken ct)
    {
        var fresh = await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO message_statuses (wa_message_id, status, status_rank, timestamp, recipient_id, recipient_user_id, biz_opaque, error_code, " +
            "error_title, error_details, raw_json, stored_at)",
            "ON CONFLICT (wa_message_id, status) DO NOTHING", "wa_message_id, status", statuses, s =>
            {
                var error = s.Errors.Count > 0 ? s.Errors[0] : null;
                return
                [
                    s.WaMessageId, s.Status, DeliveryStatus.Rank(s.Status), s.Timestamp.ToUnixTimeMilliseconds(), s.RecipientId, s.RecipientUserId,
                    s.BizOpaqueCallbackData, error?.Code, error?.Title, error?.Details ?? error?.Message, s.RawJson, nowMs,
                ];
            }, s => s.WaMessageId + "\u001f" + s.Status, ct);
        // Per message, only the highest new status matters; the UPDATE's WHERE keeps it forward-only against what is stored.
        var best = fresh.Where(s => DeliveryStatus.Rank(s.Status) >= 0).GroupBy(s => s.WaMessageId)
            .Select(g => g.MaxBy(s => DeliveryStatus.Rank(s.Status))!).ToList();
        await StatementBatch.ExecuteAsync(c, tx, ApplyStatusSql, ["id text", "status text", "rank integer", "ts bigint", "code integer"], best, s =>
            [s.WaMessageId, s.Status, DeliveryStatus.Rank(s.Status), s.Timestamp.ToUnixTimeMilliseconds(), s.Errors.Count > 0 ? s.Errors[0].Code : null], ct);
        return fresh.Count;
    }

    // Forward-only: the WHERE clause is the rule (see DeliveryStatus), so replays and races cannot move a status back.
    private const string ApplyStatusSql =
        "UPDATE messages SET status = @status, status_rank = @rank, status_at = @ts, error_code = COALESCE(@code, error_code) " +
        "WHERE wa_message_id = @id AND status_rank < @rank";

    private static Task ApplyStatusAsync(DbConnection c, DbTransaction tx, string id, string status, int rank, long ts, int? errorCode, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(ApplyStatusSql, new { id, status, rank, ts, code = errorCode }, tx, cancellationToken: ct));

    private async Task ApplyPreferenceAsync(DbConnection c, DbTransaction tx, PreferenceUpdate p, long nowMs, CancellationToken ct)
    {
        if (p.Category != "marketing_messages" || (p.WaId is null && p.UserId is null)) return;
        await UpsertUsersAsync(c, tx, [new WhatsAppUser(p.WaId, p.UserId, null, null, null)], nowMs, ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE wa_users SET marketing_preference = @value, marketing_preference_at = @at " +
            "WHERE ((wa_id = @w AND @w IS NOT NULL) OR (user_id = @u AND @u IS NOT NULL)) AND (marketing_preference_at IS NULL OR marketing_preference_at <= @at)",
            new { value = p.Value, at = p.Timestamp.ToUnixTimeMilliseconds(), w = p.WaId, u = p.UserId }, tx, cancellationToken: ct));
    }

    private static async Task<bool> InsertEventAsync(DbConnection c, DbTransaction tx, BusinessEvent e, long nowMs, CancellationToken ct)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{e.Field}\n{e.Kind}\n{e.WabaId}\n{e.RawJson}")));
        return await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO events (field, kind, waba_id, occurred_at, dedup_key, raw_json, stored_at) VALUES (@Field, @Kind, @WabaId, @at, @key, @RawJson, @now) " +
            "ON CONFLICT (dedup_key) DO NOTHING",
            new { e.Field, e.Kind, e.WabaId, at = e.OccurredAt?.ToUnixTimeMilliseconds(), key, e.RawJson, now = nowMs }, tx, cancellationToken: ct)) == 1;
    }
}
