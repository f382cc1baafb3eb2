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
/// </summary>
public sealed class CaptureWriter
{
    public async Task<CaptureWriteResult> WriteAsync(DbConnection c, DbTransaction tx, CaptureDecision decision, long nowMs, CancellationToken ct)
    {
        foreach (var user in decision.Users)
            await UpsertUserAsync(c, tx, user, nowMs, ct);

        int stored = 0, duplicates = 0, statuses = 0, events = 0;
        foreach (var message in decision.Messages)
        {
            if (await InsertMessageAsync(c, tx, message, nowMs, ct)) stored++;
            else duplicates++;
        }
        foreach (var status in decision.Statuses)
            if (await InsertStatusAsync(c, tx, status, nowMs, ct)) statuses++;
        foreach (var preference in decision.Preferences)
        {
            await ApplyPreferenceAsync(c, tx, preference, nowMs, ct);
            var asEvent = new BusinessEvent("user_preferences", $"{preference.Category}:{preference.Value}", null, preference.Timestamp, preference.RawJson);
            if (await InsertEventAsync(c, tx, asEvent, nowMs, ct)) events++;
        }
        foreach (var e in decision.Events)
            if (await InsertEventAsync(c, tx, e, nowMs, ct)) events++;
        return new CaptureWriteResult(stored, duplicates, statuses, events);
    }

    private static async Task UpsertUserAsync(DbConnection c, DbTransaction tx, WhatsAppUser user, long nowMs, CancellationToken ct)
    {
        var rows = (await c.QueryAsync<(long Id, string? WaId, string? UserId)>(new CommandDefinition(
            "SELECT id, wa_id, user_id FROM wa_users WHERE (user_id = @u AND @u IS NOT NULL) OR (wa_id = @w AND @w IS NOT NULL)",
            new { u = user.UserId, w = user.WaId }, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO wa_users (wa_id, user_id, parent_user_id, username, profile_name, first_seen_at, last_seen_at) " +
                "VALUES (@WaId, @UserId, @ParentUserId, @Username, @ProfileName, @now, @now)",
                new { user.WaId, user.UserId, user.ParentUserId, user.Username, user.ProfileName, now = nowMs }, tx, cancellationToken: ct));
            return;
        }
        // Two rows (one known by wa_id, one by user id) are for identity resolution to reconcile; here we only refresh
        // the profile of the row the user id names, and never move a wa_id between rows.
        var row = rows.Count == 1 ? rows[0] : rows.First(r => r.UserId == user.UserId);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE wa_users SET wa_id = COALESCE(wa_id, @w), user_id = COALESCE(user_id, @u), parent_user_id = COALESCE(@ParentUserId, parent_user_id), " +
            "username = COALESCE(@Username, username), profile_name = COALESCE(@ProfileName, profile_name), last_seen_at = @now WHERE id = @id",
            new { id = row.Id, w = rows.Count == 1 ? user.WaId : null, u = user.UserId, user.ParentUserId, user.Username, user.ProfileName, now = nowMs },
            tx, cancellationToken: ct));
    }

    private static async Task<bool> InsertMessageAsync(DbConnection c, DbTransaction tx, WaMessage m, long nowMs, CancellationToken ct)
    {
        string status = m.Direction == MessageDirection.Inbound ? DeliveryStatus.Received : DeliveryStatus.Sent;
        int inserted = await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO messages (wa_message_id, direction, sent_by, wa_id, user_id, phone_number_id, type, text, timestamp, status, status_rank, " +
            "reply_to_message_id, ref_message_id, forwarded, error_code, raw_json, stored_at) VALUES (@id, @direction, @sentBy, @waId, @userId, @phone, " +
            "@type, @text, @ts, @status, @rank, @replyTo, @ref, @forwarded, @error, @raw, @now) ON CONFLICT (wa_message_id) DO NOTHING",
            new
            {
                id = m.WaMessageId,
                direction = m.Direction == MessageDirection.Inbound ? "in" : "out",
                sentBy = m.SentBy.ToString().ToLowerInvariant(),
                waId = m.WaId,
                userId = m.UserId,
                phone = m.BusinessPhoneNumberId,
                type = m.Type,
                text = m.Text,
                ts = m.Timestamp.ToUnixTimeMilliseconds(),
                status,
                rank = DeliveryStatus.Rank(status),
                replyTo = m.ReplyToMessageId,
                @ref = m.RefMessageId,
                forwarded = m.Forwarded || m.FrequentlyForwarded,
                error = m.Errors.Count > 0 ? m.Errors[0].Code : (int?)null,
                raw = m.RawJson,
                now = nowMs,
            }, tx, cancellationToken: ct));
        if (inserted == 0) return false;

        // Statuses that arrived before the message: apply the highest-ranked one.
        var best = await c.QueryFirstOrDefaultAsync<(string Status, long Rank, long Timestamp)?>(new CommandDefinition(
            "SELECT status, status_rank, timestamp FROM message_statuses WHERE wa_message_id = @id AND status_rank >= 0 ORDER BY status_rank DESC LIMIT 1",
            new { id = m.WaMessageId }, tx, cancellationToken: ct));
        if (best is { } s)
            await ApplyStatusAsync(c, tx, m.WaMessageId, s.Status, (int)s.Rank, s.Timestamp, null, ct);

        if (m.RefMessageId is not null && m.Type is "edit" or "revoke")
            await ApplyChangeAsync(c, tx, m.RefMessageId, m.Type, m.Text, m.Timestamp.ToUnixTimeMilliseconds(), ct);

        // Edits and revokes that arrived before this message.
        var changes = await c.QueryAsync<(string Type, string? Text, long Timestamp)>(new CommandDefinition(
            "SELECT type, text, timestamp FROM messages WHERE ref_message_id = @id AND type IN ('edit', 'revoke') ORDER BY timestamp, id",
            new { id = m.WaMessageId }, tx, cancellationToken: ct));
        foreach (var change in changes)
            await ApplyChangeAsync(c, tx, m.WaMessageId, change.Type, change.Text, change.Timestamp, ct);
        return true;
    }

    private static Task ApplyChangeAsync(DbConnection c, DbTransaction tx, string target, string type, string? text, long at, CancellationToken ct) =>
        type == "revoke"
            ? c.ExecuteAsync(new CommandDefinition(
                "UPDATE messages SET revoked_at = @at WHERE wa_message_id = @target AND revoked_at IS NULL", new { target, at }, tx, cancellationToken: ct))
            : c.ExecuteAsync(new CommandDefinition(
                "UPDATE messages SET original_text = CASE WHEN edited_at IS NULL THEN text ELSE original_text END, text = @text, edited_at = @at " +
                "WHERE wa_message_id = @target AND (edited_at IS NULL OR edited_at <= @at)", new { target, text, at }, tx, cancellationToken: ct));

    private static async Task<bool> InsertStatusAsync(DbConnection c, DbTransaction tx, StatusUpdate s, long nowMs, CancellationToken ct)
    {
        var error = s.Errors.Count > 0 ? s.Errors[0] : null;
        int rank = DeliveryStatus.Rank(s.Status);
        long ts = s.Timestamp.ToUnixTimeMilliseconds();
        int inserted = await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO message_statuses (wa_message_id, status, status_rank, timestamp, recipient_id, recipient_user_id, biz_opaque, error_code, " +
            "error_title, error_details, raw_json, stored_at) VALUES (@id, @status, @rank, @ts, @rid, @ruid, @opaque, @code, @title, @details, @raw, @now) " +
            "ON CONFLICT (wa_message_id, status) DO NOTHING",
            new
            {
                id = s.WaMessageId, status = s.Status, rank, ts, rid = s.RecipientId, ruid = s.RecipientUserId, opaque = s.BizOpaqueCallbackData,
                code = error?.Code, title = error?.Title, details = error?.Details ?? error?.Message, raw = s.RawJson, now = nowMs,
            }, tx, cancellationToken: ct));
        if (inserted == 1 && rank >= 0)
            await ApplyStatusAsync(c, tx, s.WaMessageId, s.Status, rank, ts, error?.Code, ct);
        return inserted == 1;
    }

    // Forward-only: the WHERE clause is the rule (see DeliveryStatus), so replays and races cannot move a status back.
    private static Task ApplyStatusAsync(DbConnection c, DbTransaction tx, string id, string status, int rank, long ts, int? errorCode, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE messages SET status = @status, status_rank = @rank, status_at = @ts, error_code = COALESCE(@code, error_code) " +
            "WHERE wa_message_id = @id AND status_rank < @rank",
            new { id, status, rank, ts, code = errorCode }, tx, cancellationToken: ct));

    private static async Task ApplyPreferenceAsync(DbConnection c, DbTransaction tx, PreferenceUpdate p, long nowMs, CancellationToken ct)
    {
        if (p.Category != "marketing_messages" || (p.WaId is null && p.UserId is null)) return;
        await UpsertUserAsync(c, tx, new WhatsAppUser(p.WaId, p.UserId, null, null, null), nowMs, ct);
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
