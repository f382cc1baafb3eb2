using System.Data.Common;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Identity;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;
using Threadline.Store.Conversations;
using Threadline.Store.FollowUps;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;
using Threadline.Pipeline.FollowUp;

namespace Threadline.Workers;

/// <summary>
/// The decision pipeline the server runs: the business from <c>Business</c> options and the rules from
/// <c>Routing:RulesFile</c> (or the built-in ones), built once at start; a rules file with mistakes stops start-up.
/// </summary>
public sealed class DecisionPipeline(IOptions<BusinessOptions> business, IOptions<RoutingOptions> routing, IOptions<AutomationOptions> automation,
    ILogger<DecisionPipeline> logger)
{
    private readonly Lazy<ConversationPipeline> _pipeline = new(() =>
    {
        var rules = RuleSet.Default;
        if (routing.Value.RulesFile is { Length: > 0 } path)
        {
            var load = File.Exists(path) ? RuleSetLoader.Load(path) : new RuleSetLoad(null, [new RuleError(path, 1, 1, "no such file")]);
            rules = load.Rules ?? throw new InvalidOperationException("Routing:RulesFile has mistakes:" + Environment.NewLine + string.Join(Environment.NewLine, load.Errors));
        }
        // The automatic answers must answer intents the rules can recognise; an enabled intent without any answer is worth a warning.
        var errors = Threadline.Pipeline.Automation.AnswerBook.Validate(automation.Value.View(), rules.AllIntents.ToHashSet(StringComparer.Ordinal));
        if (errors.Count > 0) throw new InvalidOperationException("Automation:Answers has mistakes:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        var profile = business.Value.ToProfile() with { Answers = automation.Value.ToBook() };
        foreach (var intent in profile.AutomationIntents)
        {
            var missing = profile.Languages.Where(l => profile.Answers.Find(intent, l) is null).ToList();
            if (missing.Count > 0)
                logger.LogWarning("Business:AutomationIntents enables {Intent}, but Automation:Answers has no answer for it in {Languages}: a person answers those messages",
                    intent, string.Join(", ", missing));
        }
        return new ConversationPipeline(rules, profile);
    });

    public ConversationPipeline Pipeline => _pipeline.Value;
}

/// <summary>
/// Steps 3 and 4 of the inbox pipeline, the runner's part: load what context and routing need for a batch (one query
/// per kind), run the pure stages message by message in order, and write every result in the caller's transaction.
/// </summary>
public sealed class ConversationSteps(ConversationStore store, ConversationWriter writer, DecisionPipeline decisions,
    FollowUpStore followUps, FollowUpPolicyStore policies, SimilarContacts similar)
{
    /// <summary>Called with the time (Stopwatch ticks) each message's context and routing took; set by <c>threadline bench pipeline</c>.</summary>
    public Action<long>? DecisionTimed { get; set; }

    /// <summary>Skips context and routing: only the pipeline benchmark's baseline (capture + identity alone) sets it.</summary>
    public bool Disabled { get; set; }

    /// <param name="contactOf">Identity's result: the contact of each sender key.</param>
    /// <returns>How many decisions were made, how many messages they queued for sending, and the agents' loads as the
    /// batch left them: pass those to <see cref="Committed"/> once the caller's transaction has committed.</returns>
    public async Task<(int Decisions, int Queued, IReadOnlyList<Agent>? Loads)> RunAsync(DbConnection c, DbTransaction tx, IReadOnlyList<WaMessage> captured, IReadOnlyDictionary<string, long> contactOf,
        DateTimeOffset now, CancellationToken ct)
    {
        if (Disabled) return (0, 0, null);
        var items = new List<(long ContactId, ThreadMessage Message)>(captured.Count);
        foreach (var m in captured)
            if (IdentityStage.SenderKey(m) is { } key && contactOf.TryGetValue(key, out long contactId))
                items.Add((contactId, ToThreadMessage(m)));
        if (items.Count == 0) return (0, 0, null);
        var done = await store.ThreadedAsync(c, tx, items.Select(i => i.Message.Id).ToList(), ct);
        items = items.Where(i => !done.Contains(i.Message.Id)).ToList();
        if (items.Count == 0) return (0, 0, null);

        var state = await LoadAsync(c, tx, items, ct);
        var batch = Decide(items, state, now);
        await writer.WriteAsync(c, tx, batch, now.ToUnixTimeMilliseconds(), ct);
        return (batch.Decisions.Count, batch.Sends.Count, state.Agents);
    }

    /// <summary>
    /// After the transaction of <see cref="RunAsync"/> committed: the cached agents' loads (reused for up to a second)
    /// count what the batch assigned. Only after the commit: a batch that is rolled back (and retried message by
    /// message) must not have its assignments counted twice.
    /// </summary>
    public void Committed(IReadOnlyList<Agent>? loads)
    {
        if (loads is not null) store.Remember(loads);
    }

    /// <summary>The state the stages read, for the contacts of a batch.</summary>
    public sealed record State(
        Dictionary<long, ContactHistory> Histories,
        Dictionary<long, Conversation> Latest,
        Dictionary<string, Conversation> Quoted,
        Dictionary<long, ContactProfile> Profiles,
        List<Agent> Agents)
    {
        /// <summary>The follow-up policy in force and its version.</summary>
        public (int Version, FollowUpPolicy Policy) FollowUpPolicy { get; init; } = (0, Pipeline.FollowUp.FollowUpPolicy.Default);
        /// <summary>Follow-ups already fired in the current silence, per conversation.</summary>
        public Dictionary<long, int> FollowUpsFired { get; init; } = [];
        /// <summary>Similar contacts' median reply delay, for contacts without history of their own that we wrote to.</summary>
        public Dictionary<long, TimeSpan> SimilarMedians { get; init; } = [];
    }

    public async Task<State> LoadAsync(DbConnection c, DbTransaction tx, IReadOnlyList<(long ContactId, ThreadMessage Message)> items, CancellationToken ct)
    {
        var contacts = items.Select(i => i.ContactId).Distinct().ToList();
        var quoted = items.Select(i => i.Message.QuotedId).OfType<string>().Distinct().ToList();
        var state = new State(
            await store.HistoriesAsync(c, tx, contacts, ct),
            await store.LatestAsync(c, tx, contacts, ct),
            await store.OfMessagesAsync(c, tx, quoted, ct),
            await store.ProfilesAsync(c, tx, contacts, ct),
            await store.AgentsAsync(c, tx, decisions.Pipeline.Business.TimeZone, ct))
        {
            FollowUpPolicy = await policies.CurrentAsync(c, tx, ct),
        };
        // Only batches with our own messages plan follow-ups: load what planning reads for those alone.
        var outbound = items.Where(i => !i.Message.IsInbound).Select(i => i.ContactId).Distinct().ToList();
        if (outbound.Count == 0) return state;
        var conversations = outbound.Select(id => state.Latest.GetValueOrDefault(id)?.Id).OfType<long>()
            .Concat(state.Quoted.Values.Select(q => q.Id)).Distinct().ToList();
        foreach (var (id, count) in await followUps.FiredSinceLastInboundAsync(c, tx, conversations, ct)) state.FollowUpsFired[id] = count;
        foreach (var id in outbound)
            if (state.Histories.GetValueOrDefault(id) is not { ReplyPattern.Median: not null } && state.Profiles.GetValueOrDefault(id) is { } profile
                && (await similar.MedianForAsync(c, tx, profile, ct)).Median is { } median)
                state.SimilarMedians[id] = median;
        return state;
    }

    /// <summary>Moves one open conversation in the agents' loads from whoever had it before to whoever has it after (open and assigned).</summary>
    private static List<Agent> Recount(List<Agent> agents, Conversation? before, Conversation after)
    {
        string? from = Counted(before), to = Counted(after);
        if (from == to) return agents;
        return agents.Select(a => a.Id == to ? a with { OpenConversations = a.OpenConversations + 1 }
            : a.Id == from ? a with { OpenConversations = Math.Max(0, a.OpenConversations - 1) } : a).ToList();

        static string? Counted(Conversation? c) => c is { State: not ConversationState.Closed, Assignee: { } a } ? a : null;
    }

    private static bool MoreRecent(Conversation a, Conversation b) => a.LastMessageAt > b.LastMessageAt || (a.LastMessageAt == b.LastMessageAt && a.Id > b.Id);

    /// <summary>The pure part: every message threaded, every inbound message decided. Also used by the pipeline benchmark.</summary>
    public ConversationBatch Decide(IReadOnlyList<(long ContactId, ThreadMessage Message)> items, State state, DateTimeOffset now)
    {
        var pipeline = decisions.Pipeline;
        var conversations = new Dictionary<long, Conversation>();
        var inBatch = new Dictionary<string, long>(StringComparer.Ordinal); // message id → conversation id, for replies within the batch
        var messages = new List<ThreadedMessage>(items.Count);
        var decided = new List<DecisionRecord>();
        var latestDecision = new Dictionary<long, RoutingDecision>();
        var optOuts = new HashSet<long>();
        var plans = new Dictionary<long, FollowUpRecord>();   // conversation → its newest plan in this batch
        var answers = new Dictionary<long, List<OutboxItem>>(); // conversation → the automatic answers of its newest decision
        var wrote = new HashSet<long>();                      // conversations the contact wrote in: pending follow-ups are cancelled
        var (policyVersion, policy) = state.FollowUpPolicy;
        var agents = state.Agents;
        long nextId = -1;

        foreach (var (contactId, m) in items.OrderBy(i => i.ContactId).ThenBy(i => i.Message.At))
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            var history = state.Histories.GetValueOrDefault(contactId) ?? ContactHistory.Empty(contactId);
            var profile = state.Profiles.GetValueOrDefault(contactId) ?? ContactProfile.Unknown(contactId);
            var current = state.Latest.GetValueOrDefault(contactId);
            if (current is not null && conversations.TryGetValue(current.Id, out var fresher)) current = fresher;
            Conversation? quoted = null;
            if (m.QuotedId is { } q)
            {
                // Only this contact's own conversations: a quoted id that belongs to someone else is ignored.
                long? quotedId = inBatch.TryGetValue(q, out long id) && conversations.TryGetValue(id, out var bc) && bc.ContactId == contactId ? id
                    : state.Quoted.TryGetValue(q, out var qc) && qc.ContactId == contactId ? qc.Id : null;
                // A reply joins the quoted message's conversation even when that is the latest one and it was closed or
                // has been quiet for longer than the gap.
                if (quotedId is { } qid)
                    quoted = qid == current?.Id ? current : conversations.GetValueOrDefault(qid) ?? state.Quoted.Values.First(x => x.Id == qid);
            }

            var (step, understanding) = pipeline.Apply(history, current, quoted, m, profile, () => nextId--);
            var conversation = step.Conversation with { ContactId = contactId };
            // The joined conversation and the ended one as they were before this message, for the agents' loads below.
            var joinedBefore = current?.Id == conversation.Id ? current : quoted?.Id == conversation.Id ? quoted : null;
            var endedBefore = step.Ended is not null ? current : null;
            if (step.Ended is { } ended) conversations[ended.Id] = ended;
            // The contact's latest conversation is the most recently active one, as the store orders them: a reply that
            // joined an older conversation makes it the one the contact's next message continues, in this batch as in the next.
            if (step.Threading.Opened || current is null || conversation.Id == current.Id || MoreRecent(conversation, current))
                state.Latest[contactId] = conversation;
            state.Histories[contactId] = step.History;
            inBatch[m.Id] = conversation.Id;
            messages.Add(new ThreadedMessage(m, contactId, conversation.Id, understanding, "webhook"));

            if (!m.IsInbound)
            {
                // Step 5: our message starts (or continues) a silence; plan its follow-up, or none, with reasons.
                var (silence, plan, planRules) = pipeline.PlanFollowUp(step.History, conversation, profile, policy,
                    state.FollowUpsFired.GetValueOrDefault(conversation.Id), state.SimilarMedians.TryGetValue(contactId, out var sm) ? sm : null, now);
                plans.Remove(conversation.Id);
                if (plan is not null)
                    plans[conversation.Id] = new FollowUpRecord(conversation.Id, contactId, plan.Attempt, m.At, plan.At,
                        plan.Kind == FollowUpKind.Template ? "template" : "freeform", JsonSerializer.Serialize(planRules, ContextJson.Options), policyVersion);
            }
            else
            {
                plans.Remove(conversation.Id);
                wrote.Add(conversation.Id);
                // The contact wrote: follow-ups fired before this no longer count against the next silence's attempts.
                state.FollowUpsFired.Remove(conversation.Id);
            }
            // Our message answered the conversation: an automatic answer still queued in this batch is not sent on top.
            if (!m.IsInbound && m.At >= conversation.LastMessageAt) answers.Remove(conversation.Id);

            if (m.IsInbound)
            {
                var decision = pipeline.Decide(step.History, conversation, step.Threading, profile, agents, now);
                var routing = decision.Routing;
                conversation = conversation with { Assignee = routing.Assignee ?? conversation.Assignee };
                latestDecision[conversation.Id] = routing;
                // Automation's answers go into the outbox with the decision (same transaction): one row per question, keyed by
                // the contact, the moment the reply became owed and the intent, so a later message asking again before our answer
                // went out adds only what is new, and reprocessing adds nothing. The newest decision of a batch wins.
                answers.Remove(conversation.Id);
                if (decision.Answers.Count > 0 && conversation.ReplyOwedSince is { } owed)
                    answers[conversation.Id] = decision.Answers.Select(a => new OutboxItem(
                        $"auto:{contactId}:{owed.ToUnixTimeMilliseconds()}:{a.Intent}", contactId, conversation.Id,
                        OutboxStore.RecipientOf(profile.Phone, profile.UserId) ?? "", OutboundKinds.Text, OutboundContentJson.Serialize(OutboundContent.PlainText(a.Text)),
                        null, "automation", null, "automatic_answer")).ToList();
                decided.Add(new DecisionRecord(m.Id, conversation.Id, contactId, now, routing, decision.Context,
                    JsonSerializer.Serialize(new
                    {
                        understanding,
                        contact = new { profile.Owner, profile.Vip, profile.OptedOut, profile.TimeZone, profile.Language, profile.Deal },
                        agents = agents.Select(a => new { a.Id, a.Languages, available = a.AvailableAt(now), a.OpenConversations }),
                        now,
                    }, ContextJson.Options)));
                if (routing.RecordOptOut)
                {
                    optOuts.Add(contactId);
                    state.Profiles[contactId] = profile with { OptedOut = true };
                }
                if (state.Latest.GetValueOrDefault(contactId)?.Id == conversation.Id) state.Latest[contactId] = conversation;
            }
            // The loads follow every change this message made to who has which open conversation (assigned, reassigned,
            // opened, reopened, closed by the gap), so the batch's next messages are routed on the real loads.
            agents = Recount(agents, joinedBefore, conversation);
            if (step.Ended is { } endedNow) agents = Recount(agents, endedBefore, endedNow);
            conversations[conversation.Id] = conversation;
            DecisionTimed?.Invoke(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
        // The loads as this batch left them, for the next batch. (While nothing was reassigned, agents is state.Agents
        // itself: clearing it first emptied both, and the next second's batches routed as if there were no agents.)
        if (!ReferenceEquals(agents, state.Agents))
        {
            state.Agents.Clear();
            state.Agents.AddRange(agents);
        }
        return new ConversationBatch(conversations.Values, latestDecision, messages, decided,
            items.Select(i => i.ContactId).Distinct().Select(id => state.Histories[id]).ToList(), optOuts)
        {
            FollowUps = plans.Values.ToList(),
            ContactWrote = wrote,
            Sends = answers.Values.SelectMany(a => a).ToList(),
        };
    }

    /// <summary>A captured message in the stages' terms: who (contact, a person, automation), when, what words.</summary>
    public static ThreadMessage ToThreadMessage(WaMessage m) => new(
        m.WaMessageId,
        m.Timestamp,
        m.Direction == MessageDirection.Inbound ? Party.Contact : m.SentBy == SentBy.Automation ? Party.Automation : Party.Agent,
        m.Type,
        m.Text ?? m.Interactive?.Title ?? m.Order?.Text,
        null,
        m.ReplyToMessageId,
        m.Referral is not null);
}
