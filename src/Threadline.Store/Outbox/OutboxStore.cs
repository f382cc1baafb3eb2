using System.Data.Common;
using Dapper;

namespace Threadline.Store.Outbox;

/// <summary>The states of an outbox row. Only <see cref="Queued"/> rows are ever sent, and a row leaves it before its HTTP call.</summary>
public static class OutboxStates
{
    /// <summary>Waiting to be sent (first time, or after a definite failure such as 429 or 5xx).</summary>
    public const string Queued = "queued";
    /// <summary>Taken by a sender that has not called yet (pacing): safe to queue again if that sender dies (after <c>Outbox:ClaimLeaseSeconds</c>).</summary>
    public const string Claimed = "claimed";
    /// <summary>An HTTP call is under way; written durably, row by row, right before the call.</summary>
    public const string Sending = "sending";
    /// <summary>The call may or may not have reached WhatsApp (timeout, crash): never re-sent blindly; a status webhook carrying our callback data confirms it.</summary>
    public const string Unconfirmed = "unconfirmed";
    /// <summary>Unconfirmed for too long: a person decides (resend or drop).</summary>
    public const string NeedsReview = "needs_review";
    /// <summary>WhatsApp accepted it and gave a wamid; delivery statuses follow on the message.</summary>
    public const string Accepted = "accepted";
    /// <summary>Will not be sent: an answer that no retry changes (with its reason).</summary>
    public const string Failed = "failed";
    /// <summary>Withdrawn before sending (the contact wrote, opted out, or a person cancelled it).</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>A message to send, as the decision that caused it writes it.</summary>
/// <param name="IdempotencyKey">One send per cause: the same key twice is one row.</param>
public sealed record OutboxItem(
    string IdempotencyKey, long ContactId, long? ConversationId, string Recipient, string Kind, string ContentJson, string? FallbackJson,
    string SentBy, string? Agent, string Cause, long? FollowUpId = null);

/// <summary>An outbox row as stored.</summary>
public sealed class OutboxRow
{
    public long Id { get; init; }
    public string IdempotencyKey { get; init; } = "";
    public long ContactId { get; init; }
    public long? ConversationId { get; init; }
    public string Recipient { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Content { get; init; } = "";
    public string? Fallback { get; init; }
    public string SentBy { get; init; } = "";
    public string? Agent { get; init; }
    public string Cause { get; init; } = "";
    public long? FollowUpId { get; init; }
    public string State { get; init; } = "";
    public int Attempts { get; init; }
    public long NextAttemptAt { get; init; }
    public string? WaMessageId { get; init; }
    public int? ErrorCode { get; init; }
    public string? Error { get; init; }
    public long CreatedAt { get; init; }
    /// <summary>When the row was claimed, then when its call started: the sender's token. Every update a sender makes
    /// matches it, so a sender whose claim was released and taken over changes nothing.</summary>
    public long? SendingAt { get; set; }
    public long? AcceptedAt { get; init; }
    public long UpdatedAt { get; init; }
    /// <summary>The delivery status of the sent message (sent, delivered, read, failed), from the status webhooks.</summary>
    public string? Status { get; init; }

    public const string Columns =
        "o.id AS Id, o.idempotency_key AS IdempotencyKey, o.contact_id AS ContactId, o.conversation_id AS ConversationId, o.recipient AS Recipient, " +
        "o.kind AS Kind, o.content AS Content, o.fallback AS Fallback, o.sent_by AS SentBy, o.agent AS Agent, o.cause AS Cause, o.follow_up_id AS FollowUpId, " +
        "o.state AS State, o.attempts AS Attempts, o.next_attempt_at AS NextAttemptAt, o.wa_message_id AS WaMessageId, o.error_code AS ErrorCode, " +
        "o.error AS Error, o.created_at AS CreatedAt, o.sending_at AS SendingAt, o.accepted_at AS AcceptedAt, o.updated_at AS UpdatedAt";

    /// <summary>This row as <see cref="OutboxStore.ClaimAsync"/> leaves it: claimed at <paramref name="atMs"/>, one more attempt.</summary>
    public OutboxRow Claimed(long atMs) => new()
    {
        Id = Id, IdempotencyKey = IdempotencyKey, ContactId = ContactId, ConversationId = ConversationId, Recipient = Recipient, Kind = Kind,
        Content = Content, Fallback = Fallback, SentBy = SentBy, Agent = Agent, Cause = Cause, FollowUpId = FollowUpId,
        State = OutboxStates.Claimed, Attempts = Attempts + 1, NextAttemptAt = NextAttemptAt, WaMessageId = WaMessageId, ErrorCode = ErrorCode,
        Error = Error, CreatedAt = CreatedAt, SendingAt = atMs, AcceptedAt = AcceptedAt, UpdatedAt = atMs, Status = Status,
    };

    /// <summary>The callback data sent with the message and echoed by its status webhooks.</summary>
    public string CallbackData => OutboxStore.CallbackData(Id);
}

/// <summary>
/// The outbox: rows are written in the transaction of the decision that caused them (idempotent by key), claimed for
/// sending by moving them to <c>sending</c> in a committed transaction before any HTTP call, and settled afterwards.
/// A row found in <c>sending</c> by a later pass (its worker died mid-call) becomes <c>unconfirmed</c>, never queued
/// again: only a status webhook with its callback data, or a person, decides whether it went out.
/// </summary>
public sealed class OutboxStore(Database db)
{
    public const string CallbackPrefix = "threadline:outbox:";

    public static string CallbackData(long id) => CallbackPrefix + id;

    /// <summary>
    /// Whom a send goes to: the digits of the contact's E.164 number, else its business-scoped user id (WhatsApp users
    /// with a username may have no visible number; the Cloud API takes the BSUID as <c>recipient</c>); null with neither.
    /// </summary>
    public static string? RecipientOf(string? e164, string? userId = null) =>
        (e164 is null ? null : new string(e164.Where(char.IsAsciiDigit).ToArray()) is { Length: > 0 } digits ? digits : null)
        ?? (string.IsNullOrWhiteSpace(userId) ? null : userId.Trim());

    /// <summary>The recipient of a contact, from its identities (number first, then user id).</summary>
    public static async Task<string?> RecipientOfContactAsync(DbConnection c, DbTransaction? tx, long contactId, CancellationToken ct)
    {
        var ids = (await c.QueryAsync<(string Kind, string Value)>(new CommandDefinition(
            "SELECT kind, MIN(value) FROM contact_identities WHERE contact_id = @contactId AND kind IN ('phone', 'user_id') GROUP BY kind",
            new { contactId }, tx, cancellationToken: ct))).ToList();
        return RecipientOf(ids.FirstOrDefault(i => i.Kind == "phone").Value, ids.FirstOrDefault(i => i.Kind == "user_id").Value);
    }

    /// <summary>A person's decision on a row (resend, cancel): moves it to <paramref name="to"/> only from one of <paramref name="from"/>; returns rows changed.</summary>
    public Task<int> TransitionAsync(DbConnection c, long id, string[] from, string to, string note, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            $"UPDATE outbox SET state = @to, next_attempt_at = @now, error = @note, updated_at = @now, " +
            // Sent again: the first attempt's wamid is history, so its statuses no longer speak for this row.
            $"wa_message_id = CASE WHEN @to = 'queued' THEN NULL ELSE wa_message_id END WHERE id = @id AND {db.Dialect.InList("state", "from")}",
            new { id, to, now = nowMs, note, from = db.Dialect.List(from) }, cancellationToken: ct));

    /// <summary>Writes the item unless its key exists; returns the row id either way, and whether this call created it.</summary>
    /// <param name="notBeforeMs">Not sent before this time (default: at once).</param>
    public async Task<(long Id, bool Created)> EnqueueAsync(DbConnection c, DbTransaction? tx, OutboxItem item, long nowMs, CancellationToken ct, long? notBeforeMs = null)
    {
        long? id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "INSERT INTO outbox (idempotency_key, contact_id, conversation_id, recipient, kind, content, fallback, sent_by, agent, cause, follow_up_id, " +
            "state, attempts, next_attempt_at, created_at, updated_at) VALUES (@IdempotencyKey, @ContactId, @ConversationId, @Recipient, @Kind, @ContentJson, " +
            "@FallbackJson, @SentBy, @Agent, @Cause, @FollowUpId, 'queued', 0, @due, @now, @now) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            new { item.IdempotencyKey, item.ContactId, item.ConversationId, item.Recipient, item.Kind, item.ContentJson, item.FallbackJson, item.SentBy,
                item.Agent, item.Cause, item.FollowUpId, now = nowMs, due = notBeforeMs ?? nowMs }, tx, cancellationToken: ct));
        return id is { } created ? (created, true) : (await c.QuerySingleAsync<long>(new CommandDefinition(
            "SELECT id FROM outbox WHERE idempotency_key = @key", new { key = item.IdempotencyKey }, tx, cancellationToken: ct)), false);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows: they become <c>claimed</c> (attempt counted, claim time set) in the
    /// caller's transaction. Each becomes <c>sending</c> in a commit of its own right before its call (<see cref="StartCallAsync"/>),
    /// so a sender that dies leaves in doubt only the calls it had really started. Oldest first, so one recipient's messages keep their order.
    /// </summary>
    public async Task<List<OutboxRow>> ClaimAsync(DbConnection c, DbTransaction tx, int max, long nowMs, CancellationToken ct)
    {
        var rows = (await c.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {OutboxRow.Columns} FROM outbox o WHERE o.state = 'queued' AND o.next_attempt_at <= @now ORDER BY o.next_attempt_at, o.id LIMIT @max{db.Dialect.SkipLocked}",
            new { now = nowMs, max }, tx, cancellationToken: ct))).Select(r => r.Claimed(nowMs)).ToList();
        if (rows.Count == 0) return rows;
        await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE outbox SET state = 'claimed', attempts = attempts + 1, sending_at = @now, updated_at = @now WHERE id IN ({string.Join(',', rows.Select(r => r.Id))})",
            new { now = nowMs }, tx, cancellationToken: ct));
        return rows;
    }

    /// <summary>
    /// Right before the HTTP call, durably: the claimed row becomes <c>sending</c>. False when the claim was lost (its
    /// lease ran out and another sender took the row): then this sender must not call.
    /// </summary>
    /// <param name="claimedAtMs">The claim's time (<see cref="OutboxRow.SendingAt"/> of a claimed row): a row released and claimed again has another.</param>
    public async Task<bool> StartCallAsync(DbConnection c, long id, long claimedAtMs, long nowMs, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'sending', sending_at = @now, updated_at = @now WHERE id = @id AND state = 'claimed' AND sending_at = @claimedAtMs",
            new { id, claimedAtMs, now = nowMs }, cancellationToken: ct)) == 1;

    /// <summary>Claims older than the lease whose sender died before calling: nothing was sent, so they are queued again (attempt given back).</summary>
    public Task<int> ReleaseStaleClaimsAsync(DbConnection c, DbTransaction? tx, long staleBeforeMs, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'queued', next_attempt_at = @now, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = @now " +
            "WHERE state = 'claimed' AND sending_at < @stale", new { stale = staleBeforeMs, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Rows whose worker started a call before <paramref name="staleBeforeMs"/> and never settled it (it crashed): now unconfirmed.</summary>
    public Task<int> OrphansToUnconfirmedAsync(DbConnection c, DbTransaction? tx, long staleBeforeMs, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'unconfirmed', error = 'the sender stopped during the call: it may have been sent; waiting for a status webhook to confirm', " +
            "updated_at = @now WHERE state = 'sending' AND sending_at < @stale", new { stale = staleBeforeMs, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>
    /// Rows in doubt that a status webhook has since confirmed (its callback data names the row): id and the wamid. Rows
    /// still <c>sending</c> count too: their sender may have died mid-call (a live sender that later gets its answer finds
    /// the row accepted and records the same message again, which is idempotent).
    /// </summary>
    public async Task<List<(long Id, string WaMessageId)>> ConfirmedByStatusAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var open = (await c.QueryAsync<(long Id, long? SendingAt)>(new CommandDefinition(
            "SELECT id, sending_at FROM outbox WHERE state IN ('sending', 'unconfirmed', 'needs_review')", transaction: tx, cancellationToken: ct))).ToDictionary(o => o.Id, o => o.SendingAt);
        if (open.Count == 0) return [];
        var keys = open.Keys.Select(CallbackData).ToArray();
        // Only a status of this attempt confirms it: stored after its call started (a row a person sent again keeps its
        // callback data, and the first attempt's statuses are still there), and not a failure (DeliveryFailures handles those).
        var found = await c.QueryAsync<(string Opaque, string WaMessageId, long StoredAt)>(new CommandDefinition(
            $"SELECT biz_opaque, wa_message_id, stored_at FROM message_statuses WHERE {db.Dialect.InList("biz_opaque", "keys")} AND status <> 'failed'",
            new { keys = db.Dialect.List(keys) }, tx, cancellationToken: ct));
        return found
            .Select(f => (Id: long.Parse(f.Opaque[CallbackPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture), f.WaMessageId, f.StoredAt))
            .Where(f => open.TryGetValue(f.Id, out var started) && (started is null || f.StoredAt >= started))
            .GroupBy(f => f.Id).Select(g => (g.Key, g.Min(f => f.WaMessageId)!)).ToList();
    }

    public Task<int> ExpireUnconfirmedAsync(DbConnection c, DbTransaction? tx, long olderThanMs, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'needs_review', error = COALESCE(error, '') || ' — no status webhook confirmed it: a person decides (resend or drop)', " +
            "updated_at = @now WHERE state = 'unconfirmed' AND sending_at < @before", new { before = olderThanMs, now = nowMs }, tx, cancellationToken: ct));

    /// <param name="token">The caller's <see cref="OutboxRow.SendingAt"/>: the sender that made the call; null for a status webhook's confirmation.</param>
    public Task<int> MarkAcceptedAsync(DbConnection c, DbTransaction? tx, long id, string? waMessageId, long nowMs, CancellationToken ct, long? token = null) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'accepted', wa_message_id = @waMessageId, accepted_at = @now, updated_at = @now WHERE id = @id AND state IN ('sending', 'unconfirmed', 'needs_review')" +
            (token is null ? "" : " AND sending_at = @token"),
            new { id, waMessageId, now = nowMs, token }, tx, cancellationToken: ct));

    /// <summary>Back to the queue (a definite failure: nothing was sent), with this recipient's later rows kept behind it.</summary>
    /// <param name="countAttempt">False when the row was held back without a failure (pacing, pair limit, a template switch): its attempt is given back.</param>
    public async Task RequeueAsync(DbConnection c, DbTransaction? tx, OutboxRow row, long nextAttemptAt, int? code, string error, long nowMs, CancellationToken ct,
        bool countAttempt = true)
    {
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'queued', next_attempt_at = @next, error_code = @code, error = @error, updated_at = @now, " +
            "attempts = CASE WHEN @refund AND attempts > 0 THEN attempts - 1 ELSE attempts END WHERE id = @id AND state IN ('claimed', 'sending') AND sending_at = @token",
            new { id = row.Id, next = nextAttemptAt, code, error = Truncate(error), now = nowMs, refund = !countAttempt, token = row.SendingAt }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET next_attempt_at = @next, updated_at = @now WHERE recipient = @recipient AND state = 'queued' AND id > @id AND next_attempt_at < @next",
            new { id = row.Id, row.Recipient, next = nextAttemptAt, now = nowMs }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Settles a row its sender holds (claimed or mid-call) that will not be sent, or whose send is now in doubt:
    /// <paramref name="state"/> with its reason. A row a person cancelled meanwhile, or a late status settled, stays as it is.
    /// </summary>
    /// <param name="token">The row's <see cref="OutboxRow.SendingAt"/> as this sender knows it.</param>
    public Task<int> SettleAsync(DbConnection c, DbTransaction? tx, long id, long token, string state, int? code, string error, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = @state, error_code = @code, error = @error, updated_at = @now WHERE id = @id AND state IN ('claimed', 'sending') AND sending_at = @token",
            new { id, token, state, code, error = Truncate(error), now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Rows that sent (or may have sent) these messages: by the wamid WhatsApp gave, or by the outbox id in the callback data.</summary>
    public async Task<List<OutboxRow>> OfSentMessagesAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<string> waMessageIds, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (waMessageIds.Count == 0 && ids.Count == 0) return [];
        var wamids = waMessageIds.ToArray();
        var rowIds = ids.ToArray();
        return (await c.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {OutboxRow.Columns} FROM outbox o WHERE {db.Dialect.InList("o.wa_message_id", "wamids")} OR {db.Dialect.InList("o.id", "rowIds")}",
            new { wamids = db.Dialect.List(wamids), rowIds = db.Dialect.List(rowIds) }, tx, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// A status webhook said the message failed after WhatsApp took it: the row becomes <c>failed</c> with the reason, once
    /// (1 when this call changed it, 0 when it was already settled, so a redelivered status is not reacted to twice).
    /// </summary>
    public Task<int> FailAfterSendAsync(DbConnection c, DbTransaction? tx, long id, string waMessageId, int? code, string error, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET state = 'failed', wa_message_id = COALESCE(wa_message_id, @waMessageId), error_code = @code, error = @error, updated_at = @now " +
            "WHERE id = @id AND state IN ('sending', 'unconfirmed', 'needs_review', 'accepted')",
            new { id, waMessageId, code, error = Truncate(error), now = nowMs }, tx, cancellationToken: ct));

    /// <summary>WhatsApp said this contact's number cannot receive messages (131026): nothing more is sent to it.</summary>
    public static Task MarkUndeliverableAsync(DbConnection c, DbTransaction? tx, long contactId, string reason, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET undeliverable_at = @now, undeliverable_reason = @reason, updated_at = @now WHERE id = @contactId",
            new { contactId, reason, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>WhatsApp said this recipient stopped marketing messages (131050): recorded as their marketing preference.</summary>
    public static Task RecordMarketingStopAsync(DbConnection c, DbTransaction? tx, string recipient, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE wa_users SET marketing_preference = 'stop', marketing_preference_at = @now WHERE wa_id = @recipient OR user_id = @recipient",
            new { recipient, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Swaps what a queued-for-retry row sends (the window closed: its template instead of free text).</summary>
    public Task SwitchContentAsync(DbConnection c, DbTransaction? tx, long id, long token, string kind, string contentJson, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox SET kind = @kind, content = @contentJson, fallback = NULL, updated_at = @now WHERE id = @id AND state IN ('claimed', 'sending') AND sending_at = @token",
            new { id, token, kind, contentJson, now = nowMs }, tx, cancellationToken: ct));

    /// <summary>Cancels follow-up sends of these conversations not yet called (queued, or claimed and waiting for the rate): the contact wrote, they must not go out.</summary>
    public Task<int> CancelQueuedFollowUpsAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<long> conversationIds, long nowMs, CancellationToken ct)
    {
        if (conversationIds.Count == 0) return Task.FromResult(0);
        var ids = conversationIds.ToArray();
        return c.ExecuteAsync(new CommandDefinition(
            $"UPDATE outbox SET state = 'cancelled', error = 'the contact wrote before it was sent', updated_at = @now " +
            $"WHERE {db.Dialect.InList("conversation_id", "ids")} AND cause = 'follow_up' AND state IN ('queued', 'claimed')",
            new { ids = db.Dialect.List(ids), now = nowMs }, tx, cancellationToken: ct));
    }

    public async Task<OutboxRow?> GetAsync(DbConnection c, DbTransaction? tx, long id, CancellationToken ct) =>
        await c.QuerySingleOrDefaultAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {OutboxRow.Columns}, m.status AS Status FROM outbox o LEFT JOIN messages m ON m.wa_message_id = o.wa_message_id WHERE o.id = @id",
            new { id }, tx, cancellationToken: ct));

    /// <summary>Outbox rows, newest first, optionally of one state or one conversation, with each sent message's delivery status.</summary>
    public async Task<List<OutboxRow>> ListAsync(string? state, long? conversationId, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var where = new List<string>();
        if (state is not null) where.Add("o.state = @state");
        if (conversationId is not null) where.Add("o.conversation_id = @conversationId");
        return (await c.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {OutboxRow.Columns}, m.status AS Status FROM outbox o LEFT JOIN messages m ON m.wa_message_id = o.wa_message_id " +
            $"{(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY o.id DESC LIMIT @limit",
            new { state, conversationId, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>Counts per state.</summary>
    public async Task<Dictionary<string, long>> StatsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<(string State, long Count)>(new CommandDefinition(
            "SELECT state, CAST(COUNT(*) AS BIGINT) FROM outbox GROUP BY state", cancellationToken: ct))).ToDictionary(r => r.State, r => r.Count);
    }

    private static string Truncate(string error) => error.Length <= 2000 ? error : error[..2000];
}
