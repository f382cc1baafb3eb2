using System.Data.Common;
using System.Text.Json;
using Dapper;
using Threadline.Pipeline;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing;

namespace Threadline.Store.Conversations;

/// <summary>A message with its place in a conversation (conversation id negative while the conversation is new in this batch).</summary>
public sealed record ThreadedMessage(ThreadMessage Message, long ContactId, long ConversationId, Understanding? Understanding, string Source);

/// <summary>A decision to store: the routing result, the context it was made in, and the inputs (JSON) it used.</summary>
public sealed record DecisionRecord(string MessageId, long ConversationId, long ContactId, DateTimeOffset DecidedAt, RoutingDecision Routing,
    ConversationContext Context, string InputsJson);

/// <summary>Everything context and routing decided for a batch, to be written in the caller's transaction.</summary>
/// <param name="Conversations">The final state of every conversation the batch touched (new ones have negative ids), ended ones included.</param>
/// <param name="LatestDecision">Per conversation id, its latest decision: shown on the conversation row.</param>
public sealed record ConversationBatch(
    IReadOnlyCollection<Conversation> Conversations,
    IReadOnlyDictionary<long, RoutingDecision> LatestDecision,
    IReadOnlyList<ThreadedMessage> Messages,
    IReadOnlyList<DecisionRecord> Decisions,
    IReadOnlyCollection<ContactHistory> Histories,
    IReadOnlyCollection<long> OptOuts)
{
    /// <summary>Follow-ups to schedule (one per conversation: the newest plan; conversation ids negative while new).</summary>
    public IReadOnlyList<FollowUps.FollowUpRecord> FollowUps { get; init; } = [];

    /// <summary>Conversations the contact wrote in: their pending follow-ups (and queued follow-up sends) are cancelled.</summary>
    public IReadOnlyCollection<long> ContactWrote { get; init; } = [];

    /// <summary>Messages the decisions send (automatic answers), written to the outbox in the same transaction (conversation ids negative while new).</summary>
    public IReadOnlyList<Outbox.OutboxItem> Sends { get; init; } = [];

    public static readonly ConversationBatch Empty = new([], new Dictionary<long, RoutingDecision>(), [], [], [], []);
}

/// <summary>
/// Writes a <see cref="ConversationBatch"/>. Idempotent where a replay could repeat it: a message takes its place in a
/// conversation once and a decision is stored once per message (unique keys); the runner skips messages already threaded,
/// so conversation and history rows are not advanced twice.
/// </summary>
public sealed class ConversationWriter(Database db, FollowUps.FollowUpStore followUps, Outbox.OutboxStore outbox)
{
    /// <returns>Real ids for the conversations the batch opened (negative id → id).</returns>
    public async Task<IReadOnlyDictionary<long, long>> WriteAsync(DbConnection c, DbTransaction tx, ConversationBatch batch, long nowMs, CancellationToken ct)
    {
        var ids = new Dictionary<long, long>();
        long Real(long id) => id < 0 ? ids[id] : id;

        // New conversations in the order they were opened (-1 first), so that a larger id is always a newer conversation.
        var opened = batch.Conversations.Where(x => x.Id < 0).OrderByDescending(x => x.Id).ToList();
        // A decision's assignee wins; a conversation without one keeps the agent who answered it.
        string? Assignee(Conversation conv) => batch.LatestDecision.GetValueOrDefault(conv.Id)?.Assignee ?? conv.Assignee;
        var newIds = await BulkInsert.ReturningIdsAsync(c, tx,
            "INSERT INTO conversations (contact_id, state, opened_at, last_message_at, last_from, message_count, pending_intents, pending_cues, assignee, closed_at, updated_at)",
            opened, conv => [conv.ContactId, "waiting_on_us", Ms.Of(conv.OpenedAt), Ms.Of(conv.OpenedAt), "contact", 0, "", "", Assignee(conv), Ms.Of(conv.ClosedAt), nowMs], ct);
        for (int i = 0; i < opened.Count; i++) ids[opened[i].Id] = newIds[i];
        // One prepared statement (SQLite) or one statement (PostgreSQL) for all updates: re-preparing a 25-column
        // UPDATE per conversation was a third of the conversation steps' cost. The two indexed columns that rarely change
        // (assignee, closed_at: the agents' load index) are set by a second statement, only where they differ, so that
        // an ordinary message rewrites the conversation's row and no index page (migration 0007).
        await StatementBatch.ExecuteAsync(c, tx,
            "UPDATE conversations SET state = @state, last_message_at = @lastMessage, last_inbound_at = @lastIn, last_outbound_at = @lastOut, " +
            "last_from = @lastFrom, last_intent = @lastIntent, message_count = @count, pending_since = @pending, reply_owed_since = @owed, " +
            "pending_intents = @intents, pending_cues = @cues, language = @language, window_from_ad = @fromAd, snoozed_until = @snoozed, " +
            "outcome = @outcome, last_outbound_text = @outText, " +
            "needs_reply = COALESCE(@needsReply, needs_reply), urgency = COALESCE(@urgency, urgency), handler = COALESCE(@handler, handler), " +
            "respond_by = CASE WHEN @decided THEN @respondBy ELSE respond_by END, updated_at = @now WHERE id = @id",
            ["state text", "lastMessage bigint", "lastIn bigint", "lastOut bigint", "lastFrom text", "lastIntent text", "count integer", "pending bigint",
                "owed bigint", "intents text", "cues text", "language text", "fromAd boolean", "snoozed bigint", "outcome text", "outText text",
                "needsReply boolean", "urgency text", "handler text", "decided boolean", "respondBy bigint", "now bigint", "id bigint"],
            batch.Conversations, conv =>
            {
                var d = batch.LatestDecision.GetValueOrDefault(conv.Id);
                // Our message answered whatever was owed (also when the question was decided earlier in this same batch),
                // or the conversation is closed: no reply is needed, and there is no deadline, until the contact writes again.
                bool answered = conv.LastFrom != Party.Contact || conv.State == ConversationState.Closed;
                return
                [
                    conv.State.Name(), Ms.Of(conv.LastMessageAt), Ms.Of(conv.LastInboundAt), Ms.Of(conv.LastOutboundAt), conv.LastFrom.Name(), conv.LastIntent,
                    conv.MessageCount, Ms.Of(conv.PendingSince), Ms.Of(conv.ReplyOwedSince), string.Join(",", conv.PendingIntents), string.Join("|", conv.PendingCues),
                    conv.Language, conv.WindowFromAd, Ms.Of(conv.SnoozedUntil), conv.Outcome, conv.LastOutboundText,
                    answered ? false : d?.NeedsReply, d?.Urgency.Name(), d?.Handler.Name(), d is not null || answered, answered ? null : Ms.Of(d?.RespondBy), nowMs, Real(conv.Id),
                ];
            }, ct);
        await StatementBatch.ExecuteAsync(c, tx,
            "UPDATE conversations SET assignee = @assignee, closed_at = @closed WHERE id = @id AND " +
            $"({db.Dialect.Differs("assignee", "@assignee")} OR {db.Dialect.Differs("closed_at", "@closed")})",
            ["assignee text", "closed bigint", "id bigint"], batch.Conversations, conv => [Assignee(conv), Ms.Of(conv.ClosedAt), Real(conv.Id)], ct);

        await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO conversation_messages (message_id, conversation_id, contact_id, party, agent, type, text, at, intent, language, source, created_at)",
            "ON CONFLICT (message_id) DO NOTHING", "message_id", batch.Messages,
            m => [m.Message.Id, Real(m.ConversationId), m.ContactId, m.Message.From.Name(), m.Message.AgentId, m.Message.Type,
                m.Source == "import" ? m.Message.Text : null, Ms.Of(m.Message.At), m.Understanding?.Intent, m.Understanding?.Language, m.Source, nowMs],
            m => m.Message.Id, ct);

        await StatementBatch.ExecuteAsync(c, tx,
            "INSERT INTO contact_context (contact_id, conversations, last_outcome, reply_delays, inquiries, last_inbound_at, last_outbound_at, awaiting_reply_since, language, updated_at) " +
            "VALUES (@contact, @conversations, @outcome, @delays, @inquiries, @lastIn, @lastOut, @awaiting, @language, @now) " +
            "ON CONFLICT (contact_id) DO UPDATE SET conversations = excluded.conversations, last_outcome = excluded.last_outcome, " +
            "reply_delays = excluded.reply_delays, inquiries = excluded.inquiries, last_inbound_at = excluded.last_inbound_at, " +
            "last_outbound_at = excluded.last_outbound_at, awaiting_reply_since = excluded.awaiting_reply_since, language = excluded.language, updated_at = excluded.updated_at",
            ["contact bigint", "conversations integer", "outcome text", "delays text", "inquiries text", "lastIn bigint", "lastOut bigint",
                "awaiting bigint", "language text", "now bigint"],
            batch.Histories, h =>
            [
                h.ContactId, h.Conversations, h.LastOutcome, JsonSerializer.Serialize(h.ReplyDelays), JsonSerializer.Serialize(h.Inquiries, ContextJson.Options),
                Ms.Of(h.LastInboundAt), Ms.Of(h.LastOutboundAt), Ms.Of(h.AwaitingReplySince), h.Language, nowMs,
            ], ct);

        await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO decisions (message_id, conversation_id, contact_id, decided_at, intent, language, needs_reply, urgency, handler, assignee, respond_by, rule, reasons, context, inputs)",
            "ON CONFLICT (message_id) DO NOTHING", "message_id", batch.Decisions,
            d => [d.MessageId, Real(d.ConversationId), d.ContactId, Ms.Of(d.DecidedAt), d.Routing.Intent, d.Routing.Language, d.Routing.NeedsReply,
                d.Routing.Urgency.Name(), d.Routing.Handler.Name(), d.Routing.Assignee, Ms.Of(d.Routing.RespondBy), d.Routing.PrimaryRule,
                JsonSerializer.Serialize(d.Routing.Rules, ContextJson.Options), JsonSerializer.Serialize(d.Context with { ConversationId = Real(d.ConversationId) }, ContextJson.Options), d.InputsJson],
            d => d.MessageId, ct);

        // Step 5's writes: any message from the contact cancels what was pending for that conversation, atomically with
        // the message itself; then the silences our messages started get their follow-ups.
        if (batch.ContactWrote.Count > 0)
        {
            var wrote = batch.ContactWrote.Where(id => id > 0).ToList();
            await followUps.CancelAsync(c, tx, wrote, "the contact wrote", nowMs, ct);
            await outbox.CancelQueuedFollowUpsAsync(c, tx, wrote, nowMs, ct);
        }
        await followUps.ScheduleAsync(c, tx, batch.FollowUps.Select(f => f with { ConversationId = Real(f.ConversationId) }).ToList(), nowMs, ct);
        foreach (var send in batch.Sends)
            await outbox.EnqueueAsync(c, tx, send with { ConversationId = send.ConversationId is { } id ? Real(id) : null }, nowMs, ct);

        if (batch.OptOuts.Count > 0)
        {
            var optOuts = batch.OptOuts.ToArray();
            await c.ExecuteAsync(new CommandDefinition(
                $"UPDATE contacts SET opted_out = TRUE, updated_at = @now WHERE {db.Dialect.InList("id", "optOuts")}", new { optOuts = db.Dialect.List(optOuts), now = nowMs }, tx, cancellationToken: ct));
        }
        return ids;
    }
}
