using System.Data.Common;
using System.Text.Json;
using Dapper;
using Threadline.Pipeline;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;

namespace Threadline.Store.Conversations;

/// <summary>A conversation row as stored.</summary>
public sealed class ConversationRow
{
    public long Id { get; init; }
    public long ContactId { get; init; }
    public string State { get; init; } = "";
    public long OpenedAt { get; init; }
    public long LastMessageAt { get; init; }
    public long? LastInboundAt { get; init; }
    public long? LastOutboundAt { get; init; }
    public string LastFrom { get; init; } = "contact";
    public string? LastIntent { get; init; }
    public int MessageCount { get; init; }
    public long? PendingSince { get; init; }
    public long? ReplyOwedSince { get; init; }
    public string PendingIntents { get; init; } = "";
    public string PendingCues { get; init; } = "";
    public string? Language { get; init; }
    public bool WindowFromAd { get; init; }
    public long? SnoozedUntil { get; init; }
    public long? ClosedAt { get; init; }
    public string? Assignee { get; init; }
    public string? Outcome { get; init; }
    public string? LastOutboundText { get; init; }
    public bool NeedsReply { get; init; }
    public string? Urgency { get; init; }
    public string? Handler { get; init; }
    public long? RespondBy { get; init; }
    public long UpdatedAt { get; init; }

    public const string Columns =
        "id AS Id, contact_id AS ContactId, state AS State, opened_at AS OpenedAt, last_message_at AS LastMessageAt, " +
        "last_inbound_at AS LastInboundAt, last_outbound_at AS LastOutboundAt, last_from AS LastFrom, last_intent AS LastIntent, " +
        "message_count AS MessageCount, pending_since AS PendingSince, reply_owed_since AS ReplyOwedSince, pending_intents AS PendingIntents, " +
        "pending_cues AS PendingCues, language AS Language, window_from_ad AS WindowFromAd, snoozed_until AS SnoozedUntil, closed_at AS ClosedAt, " +
        "assignee AS Assignee, outcome AS Outcome, last_outbound_text AS LastOutboundText, needs_reply AS NeedsReply, urgency AS Urgency, " +
        "handler AS Handler, respond_by AS RespondBy, updated_at AS UpdatedAt";

    public Conversation ToModel() => new(
        Id, ContactId, ConversationStates.Parse(State), Ms.Time(OpenedAt), Ms.Time(LastMessageAt), Ms.Time(LastInboundAt), Ms.Time(LastOutboundAt),
        Parties.Parse(LastFrom), LastIntent, MessageCount, Ms.Time(PendingSince), Ms.Time(ReplyOwedSince),
        Split(PendingIntents, ','), Split(PendingCues, '|'), Language, WindowFromAd, Ms.Time(SnoozedUntil), Ms.Time(ClosedAt), Assignee, Outcome, LastOutboundText);

    private static List<string> Split(string s, char separator) => s.Length == 0 ? [] : s.Split(separator).ToList();
}

/// <summary>A contact_context row as stored.</summary>
public sealed class ContactContextRow
{
    public long ContactId { get; init; }
    public int Conversations { get; init; }
    public string? LastOutcome { get; init; }
    public string ReplyDelays { get; init; } = "[]";
    public string Inquiries { get; init; } = "[]";
    public long? LastInboundAt { get; init; }
    public long? LastOutboundAt { get; init; }
    public long? AwaitingReplySince { get; init; }
    public string? Language { get; init; }

    public ContactHistory ToModel() => new(ContactId, Conversations, LastOutcome,
        JsonSerializer.Deserialize<List<long>>(ReplyDelays) ?? [],
        JsonSerializer.Deserialize<List<Inquiry>>(Inquiries, ContextJson.Options) ?? [],
        Ms.Time(LastInboundAt), Ms.Time(LastOutboundAt), Ms.Time(AwaitingReplySince), Language);
}

/// <summary>Unix milliseconds, the store's time format, to and from instants.</summary>
public static class Ms
{
    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    public static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
    public static long Of(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static long? Of(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();
}

public static class Parties
{
    public static string Name(this Party p) => p switch { Party.Agent => "agent", Party.Automation => "automation", _ => "contact" };
    public static Party Parse(string s) => s switch { "agent" => Party.Agent, "automation" => Party.Automation, _ => Party.Contact };
}

/// <summary>
/// The state context and routing load before they run, in one query per kind for a whole batch of contacts:
/// history summaries, latest conversations, the conversations of quoted messages, CRM profiles, agents and their load.
/// </summary>
public sealed class ConversationStore(Database db, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<Dictionary<long, ContactHistory>> HistoriesAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0) return [];
        var ids = contactIds.ToArray();
        var rows = await c.QueryAsync<ContactContextRow>(new CommandDefinition(
            "SELECT contact_id AS ContactId, conversations AS Conversations, last_outcome AS LastOutcome, reply_delays AS ReplyDelays, inquiries AS Inquiries, " +
            "last_inbound_at AS LastInboundAt, last_outbound_at AS LastOutboundAt, awaiting_reply_since AS AwaitingReplySince, language AS Language " +
            $"FROM contact_context WHERE {db.Dialect.InList("contact_id", "ids")}", new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.ContactId, r => r.ToModel());
    }

    /// <summary>Each contact's most recently active conversation (by its last message; imported history can add older ones later).</summary>
    public async Task<Dictionary<long, Conversation>> LatestAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0) return [];
        var ids = contactIds.ToArray();
        var rows = await c.QueryAsync<ConversationRow>(new CommandDefinition(LatestSql(db.Dialect), new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.ContactId, r => r.ToModel());
    }

    /// <summary>The statement of <see cref="LatestAsync"/>, parameter <c>@ids</c> (internal: the plan tests read it).</summary>
    internal static string LatestSql(SqlDialect dialect) =>
        $"SELECT {ConversationRow.Columns} FROM conversations v WHERE {dialect.InList("v.contact_id", "ids")} AND NOT EXISTS " +
        "(SELECT 1 FROM conversations w WHERE w.contact_id = v.contact_id AND (w.last_message_at > v.last_message_at OR (w.last_message_at = v.last_message_at AND w.id > v.id)))";

    /// <summary>The conversation each of these messages is in (for replies that quote them).</summary>
    public async Task<Dictionary<string, Conversation>> OfMessagesAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<string> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0) return [];
        var ids = messageIds.ToArray();
        var rows = await c.QueryAsync<(string MessageId, long ConversationId)>(new CommandDefinition(
            $"SELECT message_id, conversation_id FROM conversation_messages WHERE {db.Dialect.InList("message_id", "ids")}", new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct));
        var map = rows.ToList();
        if (map.Count == 0) return [];
        var conversations = await ByIdsAsync(c, tx, map.Select(m => m.ConversationId).Distinct().ToList(), ct);
        return map.Where(m => conversations.ContainsKey(m.ConversationId)).ToDictionary(m => m.MessageId, m => conversations[m.ConversationId]);
    }

    /// <summary>These conversations, by id.</summary>
    public async Task<Dictionary<long, Conversation>> ByIdsAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long> conversationIds, CancellationToken ct)
    {
        if (conversationIds.Count == 0) return [];
        var ids = conversationIds.ToArray();
        return (await c.QueryAsync<ConversationRow>(new CommandDefinition(
            $"SELECT {ConversationRow.Columns} FROM conversations WHERE {db.Dialect.InList("id", "ids")}", new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.ToModel());
    }

    /// <summary>Which of these messages already have their place in a conversation (a replayed batch must not count them twice).</summary>
    public async Task<HashSet<string>> ThreadedAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<string> messageIds, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in messageIds.Chunk(500))
            found.UnionWith(await c.QueryAsync<string>(new CommandDefinition(
                $"SELECT message_id FROM conversation_messages WHERE {db.Dialect.InList("message_id", "chunk")}", new { chunk = db.Dialect.List(chunk) }, tx, cancellationToken: ct)));
        return found;
    }

    private sealed class ProfileRow
    {
        public long Id { get; init; }
        public string? Name { get; init; }
        public string? Owner { get; init; }
        public bool Vip { get; init; }
        public bool OptedOut { get; init; }
        public string? TimeZone { get; init; }
        public string? Language { get; init; }
        public string? Phone { get; init; }
        public string? UserId { get; init; }
    }

    private sealed class DealProfileRow
    {
        public long Id { get; init; }
        public long ContactId { get; init; }
        public string Stage { get; init; } = "";
        public decimal? Value { get; init; }
        public string? Currency { get; init; }
        public string? Owner { get; init; }
        public string Status { get; init; } = "";
        public long LastActivityAt { get; init; }
    }

    /// <summary>The contacts of <c>@ids</c> with their first phone number and user id: each a probe of
    /// <c>ix_contact_identities_contact</c> on (contact_id, kind) (migration 0008), which it must use.</summary>
    internal static string ProfilesSql(SqlDialect dialect) =>
        "SELECT c.id AS Id, c.name AS Name, c.owner AS Owner, c.vip AS Vip, c.opted_out AS OptedOut, c.time_zone AS TimeZone, c.language AS Language, " +
        "(SELECT MIN(i.value) FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'phone') AS Phone, " +
        "(SELECT MIN(i.value) FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'user_id') AS UserId " +
        $"FROM contacts c WHERE {dialect.InList("c.id", "ids")}";

    /// <summary>The CRM facts routing reads: owner, VIP, opt-out, time zone, language, first phone number, latest open deal (else the latest deal).</summary>
    public async Task<Dictionary<long, ContactProfile>> ProfilesAsync(DbConnection c, DbTransaction? tx, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0) return [];
        var ids = contactIds.ToArray();
        var contacts = await c.QueryAsync<ProfileRow>(new CommandDefinition(
            ProfilesSql(db.Dialect), new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct));
        var deals = (await c.QueryAsync<DealProfileRow>(new CommandDefinition(
            "SELECT id AS Id, contact_id AS ContactId, stage AS Stage, value AS Value, currency AS Currency, owner AS Owner, status AS Status, last_activity_at AS LastActivityAt " +
            $"FROM deals WHERE {db.Dialect.InList("contact_id", "ids")}", new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct)))
            .ToLookup(d => d.ContactId);
        return contacts.ToDictionary(r => r.Id, r =>
        {
            var deal = deals[r.Id].OrderBy(d => d.Status == "open" ? 0 : 1).ThenByDescending(d => d.LastActivityAt).ThenByDescending(d => d.Id).FirstOrDefault();
            return new ContactProfile(r.Id, r.Name, r.Phone, r.Owner, r.Vip, r.OptedOut, r.TimeZone, r.Language,
                deal is null ? null : new DealInfo(deal.Stage, deal.Value, deal.Currency, deal.Owner, deal.Id)) { UserId = r.UserId };
        });
    }

    /// <summary>Bumped by every agent write in this process, so the cached agent list is never older than a change made here.</summary>
    public static long AgentsVersion;

    // One immutable object, swapped whole: the inbox worker and other writers (the outbox recording what WhatsApp took)
    // may read and replace it from different threads.
    private sealed record AgentCache(long Version, long LoadedAt, List<Agent> Agents);

    private AgentCache? _agents;

    /// <summary>
    /// The agents with their load (conversations assigned to them that are not closed). Counting every open conversation
    /// per batch was a tenth of the conversation steps' cost, so the list is reused for up to a second (load changes made
    /// within a batch are counted by the runner; an away switch set through this process's API applies at once).
    /// </summary>
    public async Task<List<Agent>> AgentsAsync(DbConnection c, DbTransaction? tx, string businessTimeZone, CancellationToken ct)
    {
        long version = Interlocked.Read(ref AgentsVersion), now = _clock.GetTimestamp();
        if (Volatile.Read(ref _agents) is { } cached && cached.Version == version && _clock.GetElapsedTime(cached.LoadedAt, now) < TimeSpan.FromSeconds(1))
            return cached.Agents.ToList();
        var agents = await LoadAgentsAsync(c, tx, businessTimeZone, ct);
        Volatile.Write(ref _agents, new AgentCache(version, now, agents));
        return agents.ToList();
    }

    /// <summary>The agents' loads after a batch assigned conversations: the cached list counts them until it is next loaded.</summary>
    public void Remember(IReadOnlyList<Agent> agents)
    {
        if (Volatile.Read(ref _agents) is { } cached) Volatile.Write(ref _agents, cached with { Agents = agents.ToList() });
    }

    private async Task<List<Agent>> LoadAgentsAsync(DbConnection c, DbTransaction? tx, string businessTimeZone, CancellationToken ct)
    {
        var rows = await c.QueryAsync<AgentRow>(new CommandDefinition(AgentRow.Select, transaction: tx, cancellationToken: ct));
        return rows.Select(r => new Agent(r.Id, r.Languages.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), r.Away,
            WorkingHoursText.Parse(r.WorkingDays, r.WorkOpen, r.WorkClose, r.TimeZone ?? businessTimeZone), (int)r.OpenConversations)).ToList();
    }
}
