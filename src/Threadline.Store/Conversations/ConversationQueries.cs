using System.Data.Common;
using Dapper;

namespace Threadline.Store.Conversations;

/// <summary>A message of a conversation as the API shows it: captured text (from messages) or imported text.</summary>
public sealed class ConversationMessageRow
{
    public string MessageId { get; init; } = "";
    public string Party { get; init; } = "";
    public string? Agent { get; init; }
    public string Type { get; init; } = "";
    public string? Text { get; init; }
    public long At { get; init; }
    public string? Intent { get; init; }
    public string? Language { get; init; }
    public string Source { get; init; } = "";
    public string? Status { get; init; }
}

/// <summary>A stored decision.</summary>
public sealed class DecisionRow
{
    public long Id { get; init; }
    public string MessageId { get; init; } = "";
    public long DecidedAt { get; init; }
    public string Intent { get; init; } = "";
    public string Language { get; init; } = "";
    public bool NeedsReply { get; init; }
    public string Urgency { get; init; } = "";
    public string Handler { get; init; } = "";
    public string? Assignee { get; init; }
    public long? RespondBy { get; init; }
    public string Rule { get; init; } = "";
    public string Reasons { get; init; } = "[]";
    public string Context { get; init; } = "{}";
    public string Inputs { get; init; } = "{}";
}

/// <summary>Reads of conversations for the API: one with its messages and decisions, or a filtered list.</summary>
public sealed class ConversationQueries(Database db)
{
    public async Task<ConversationRow?> ByIdAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<(List<ConversationMessageRow> Messages, List<DecisionRow> Decisions)> DetailsAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var messages = (await c.QueryAsync<ConversationMessageRow>(new CommandDefinition(
            "SELECT cm.message_id AS MessageId, cm.party AS Party, cm.agent AS Agent, cm.type AS Type, COALESCE(m.text, cm.text) AS Text, cm.at AS At, " +
            "cm.intent AS Intent, cm.language AS Language, cm.source AS Source, m.status AS Status " +
            "FROM conversation_messages cm LEFT JOIN messages m ON m.wa_message_id = cm.message_id WHERE cm.conversation_id = @id ORDER BY cm.at, cm.message_id",
            new { id }, cancellationToken: ct))).ToList();
        var decisions = (await c.QueryAsync<DecisionRow>(new CommandDefinition(
            "SELECT id AS Id, message_id AS MessageId, decided_at AS DecidedAt, intent AS Intent, language AS Language, needs_reply AS NeedsReply, " +
            "urgency AS Urgency, handler AS Handler, assignee AS Assignee, respond_by AS RespondBy, rule AS Rule, reasons AS Reasons, context AS Context, inputs AS Inputs " +
            "FROM decisions WHERE message_id IN (SELECT message_id FROM conversation_messages WHERE conversation_id = @id) ORDER BY id", new { id }, cancellationToken: ct))).ToList();
        return (messages, decisions);
    }

    /// <summary>Conversations, most recently active first, filtered by contact, state and assignee.</summary>
    public async Task<List<ConversationRow>> ListAsync(long? contactId, string? state, string? assignee, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var where = new List<string>();
        if (contactId is not null) where.Add("contact_id = @contactId");
        if (state is not null) where.Add("state = @state");
        if (assignee is not null) where.Add("assignee = @assignee");
        return (await c.QueryAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} " +
            "ORDER BY last_message_at DESC, id DESC LIMIT @limit", new { contactId, state, assignee, limit }, cancellationToken: ct))).ToList();
    }
}

/// <summary>What people do to a conversation directly (more of step 7 comes later): closing it.</summary>
public sealed class ConversationCommands(Database db, TimeProvider clock)
{
    /// <summary>Closes a conversation, keeping how it ended; the contact's next message opens a new one.</summary>
    /// <returns>The closed conversation, or null when there is none with this id.</returns>
    public async Task<ConversationRow?> CloseAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations WHERE id = @id{db.Dialect.ForUpdate}", new { id }, tx, cancellationToken: ct));
        if (row is null) return null;
        if (row.State != "closed")
        {
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE conversations SET state = 'closed', closed_at = @now, outcome = @outcome, needs_reply = FALSE, respond_by = NULL, updated_at = @now WHERE id = @id",
                new { id, now, outcome = Threadline.Pipeline.Context.Outcomes.Of(row.ToModel()) }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return await c.QuerySingleAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// Closes conversations the contact's silence has ended (<see cref="Threadline.Pipeline.Context.IdleConversations"/>):
    /// at most <paramref name="limit"/> per call, in one transaction. A conversation a message changed meanwhile is left
    /// as that message left it.
    /// </summary>
    /// <returns>How many were closed.</returns>
    public async Task<int> CloseIdleAsync(TimeSpan gap, int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds(), before = (now - gap).ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // No index serves this (one on last_message_at would move with every message): a scan, every few minutes. The
        // filter is the rule's own, so that rows the rule would keep open cannot fill every batch ahead of those it closes.
        var rows = await c.QueryAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations v WHERE closed_at IS NULL AND state = 'waiting_on_them' AND reply_owed_since IS NULL AND last_message_at <= @before " +
            "AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.conversation_id = v.id AND f.state = 'pending') ORDER BY id LIMIT @limit",
            new { before, limit }, tx, cancellationToken: ct));
        int closed = 0;
        foreach (var row in rows)
        {
            var conversation = row.ToModel();
            if (Threadline.Pipeline.Context.IdleConversations.Ends(conversation, now, gap, followUpPending: false) is null) continue;
            closed += await c.ExecuteAsync(new CommandDefinition(
                "UPDATE conversations SET state = 'closed', closed_at = @now, outcome = @outcome, needs_reply = FALSE, respond_by = NULL, updated_at = @now " +
                "WHERE id = @id AND closed_at IS NULL AND state = 'waiting_on_them' AND last_message_at = @seen",
                new { id = row.Id, now = nowMs, outcome = Threadline.Pipeline.Context.Outcomes.Of(conversation), seen = row.LastMessageAt }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        if (closed > 0) Interlocked.Increment(ref ConversationStore.AgentsVersion);   // the cached loads count them no longer
        return closed;
    }

    /// <summary>
    /// Hands a conversation to a person: it needs a reply from a human (e.g. a message could not go out because the
    /// window closed and no template exists). In the caller's transaction, if any.
    /// </summary>
    public static Task FlagForPersonAsync(DbConnection c, DbTransaction? tx, long conversationId, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE conversations SET needs_reply = TRUE, handler = 'human', updated_at = @now WHERE id = @id",
            new { id = conversationId, now = nowMs }, tx, cancellationToken: ct));
}
