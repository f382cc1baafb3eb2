using System.Globalization;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;

namespace Threadline.Pipeline.Routing;

/// <summary>Everything routing reads, loaded before it runs.</summary>
/// <param name="Conversation">The conversation after the message (from <see cref="ContextStage"/>).</param>
/// <param name="NoReplyIntents">The rules' <c>noReply</c> intents.</param>
public sealed record RoutingInput(
    BusinessProfile Business,
    IReadOnlyList<Agent> Agents,
    ContactProfile Contact,
    Conversation Conversation,
    IReadOnlySet<string> NoReplyIntents,
    DateTimeOffset Now);

/// <summary>
/// Step 4, decisions: needs a reply? how urgent? automation or a person, which one, and by when. Pure, and every
/// decision carries the rule that fired and the inputs it used, so a person can always see why.
/// </summary>
public static class RoutingStage
{
    public static RoutingDecision Decide(RoutingInput input)
    {
        var rules = new List<FiredRule>();
        var c = input.Conversation;
        string intent = c.LastFrom == Party.Contact ? c.LastIntent ?? "other" : "none";
        string language = c.Language ?? input.Business.Languages.FirstOrDefault() ?? "en";

        bool needsReply = NeedsReply(c, input.NoReplyIntents, rules);
        bool optOut = c.LastFrom == Party.Contact && c.LastIntent == "opt_out";
        var urgency = needsReply ? DecideUrgency(input, rules) : Low(rules);
        var handler = DecideHandler(input, needsReply, urgency, language, rules);
        string? assignee = handler == Handler.Human ? DecideAssignee(input, language, rules) : null;
        DateTimeOffset? respondBy = needsReply ? DecideRespondBy(input, urgency, rules) : null;
        return new RoutingDecision(needsReply, urgency, handler, assignee, respondBy, intent, language, optOut, rules);
    }

    private static bool NeedsReply(Conversation c, IReadOnlySet<string> noReply, List<FiredRule> rules)
    {
        if (c.LastFrom != Party.Contact)
        {
            rules.Add(new("needsReply.last-word-ours", $"our {(c.LastFrom == Party.Automation ? "automatic" : "agent's")} message at {Time(c.LastMessageAt)} is the last one"));
            return false;
        }
        if (c.LastIntent is "opt_out")
        {
            rules.Add(new("needsReply.opt-out", "the contact asked to stop messages: the opt-out is recorded, no reply"));
            return false;
        }
        if (c.ReplyOwedSince is null && c.LastIntent is "closing")
        {
            rules.Add(new("needsReply.closing", "the contact ended the conversation"));
            return false;
        }
        if (c.ReplyOwedSince is null)
        {
            rules.Add(new("needsReply.no-request", $"since our last message the contact only sent {string.Join(", ", c.PendingIntents)}"));
            return false;
        }
        var asks = c.PendingIntents.Where(i => !noReply.Contains(i)).ToList();
        rules.Add(new("needsReply.open-request", $"{string.Join(", ", asks)} since {Time(c.ReplyOwedSince.Value)} has no answer yet"));
        return true;
    }

    private static Urgency Low(List<FiredRule> rules)
    {
        rules.Add(new("urgency.low", "no reply needed"));
        return Urgency.Low;
    }

    private static Urgency DecideUrgency(RoutingInput input, List<FiredRule> rules)
    {
        var c = input.Conversation;
        int before = rules.Count;
        if (c.PendingIntents.Contains("complaint")) rules.Add(new("urgency.complaint", "the contact reports a problem"));
        if (c.PendingCues.Count > 0) rules.Add(new("urgency.cue", string.Join(", ", c.PendingCues.Select(q => $"'{q}'"))));
        if (input.Contact.Vip) rules.Add(new("urgency.vip", "the contact is a VIP"));
        if (input.Contact.Deal is { Stage: "negotiation", Value: { } value } deal && input.Business.HighValueThreshold is { } threshold && value > threshold)
            rules.Add(new("urgency.high-value-deal", $"deal in negotiation at {value.ToString("0.##", CultureInfo.InvariantCulture)} {deal.Currency}, above the threshold {threshold.ToString("0.##", CultureInfo.InvariantCulture)}"));
        if (rules.Count > before) return Urgency.High;
        rules.Add(new("urgency.normal", "no complaint, urgency cue, VIP or high-value negotiation"));
        return Urgency.Normal;
    }

    /// <summary>What the contact is waiting for an answer to: the pending intents that need one (a greeting only when it is alone).</summary>
    public static IReadOnlyList<string> Asks(Conversation conversation, IReadOnlySet<string> noReplyIntents)
    {
        var asks = conversation.PendingIntents.Where(i => !noReplyIntents.Contains(i)).Distinct().ToList();
        // A greeting before a question is answered with the question; alone, a greeting is answered by a person.
        if (asks.Count > 1) asks.Remove("greeting");
        return asks;
    }

    private static Handler DecideHandler(RoutingInput input, bool needsReply, Urgency urgency, string language, List<FiredRule> rules)
    {
        if (!needsReply)
        {
            rules.Add(new("handler.none", "nothing to answer"));
            return Handler.None;
        }
        var asks = Asks(input.Conversation, input.NoReplyIntents);
        var automated = input.Business.AutomationIntents;
        if (asks.Count > 0 && asks.All(automated.Contains))
        {
            if (urgency == Urgency.High)
            {
                rules.Add(new("handler.human-high-urgency", $"{string.Join(", ", asks)} may be answered automatically, but not at high urgency"));
                return Handler.Human;
            }
            if (input.Business.Answers is { } book && book.Missing(asks, language) is { Count: > 0 } missing)
            {
                rules.Add(new("handler.human-no-answer", $"{string.Join(", ", asks)} may be answered automatically, but no automatic answer " +
                    $"for {string.Join(", ", missing)} is written in '{language}' (Automation:Answers:{missing[0]}:{language})"));
                return Handler.Human;
            }
            rules.Add(new("handler.automation", $"{string.Join(", ", asks)} is enabled for automatic answers"));
            return Handler.Automation;
        }
        var manual = asks.Where(a => !automated.Contains(a)).ToList();
        rules.Add(new("handler.human", automated.Count == 0
            ? "automatic answers are not enabled"
            : $"{string.Join(", ", manual)} is not enabled for automatic answers ({string.Join(", ", automated)} are)"));
        return Handler.Human;
    }

    private static string? DecideAssignee(RoutingInput input, string language, List<FiredRule> rules)
    {
        var now = input.Now;
        var agents = input.Agents;
        // The contact's owner, else the deal's owner: the first of them who is available.
        var owners = new List<(string Id, string Source)>(2);
        if (input.Contact.Owner is { } o) owners.Add((o, "contact owner"));
        if (input.Contact.Deal?.Owner is { } d && d != input.Contact.Owner) owners.Add((d, "deal owner"));
        var notes = new List<string>();
        foreach (var (id, source) in owners)
        {
            var agent = agents.FirstOrDefault(a => a.Id == id);
            if (agent?.AvailableAt(now) ?? true)
            {
                rules.Add(new("assignee.owner", (notes.Count > 0 ? string.Join("; ", notes) + "; " : "") +
                    $"{id} is the {source}{(agent is null ? " (not in the agent list: assumed available)" : " and available")}"));
                return id;
            }
            notes.Add($"{source} {id} is {(agent.Away ? "away" : "outside working hours")}");
        }
        string? owner = owners.Count > 0 ? owners[0].Id : null;
        string ownerNote = owners.Count == 0 ? "no owner" : string.Join("; ", notes);

        // Whoever already handles the conversation keeps it while available: a conversation does not hop between agents.
        if (input.Conversation.Assignee is { } handling && agents.FirstOrDefault(a => a.Id == handling) is { } current && current.AvailableAt(now))
        {
            rules.Add(new("assignee.conversation", $"{ownerNote}; {handling} already handles this conversation and is available"));
            return handling;
        }

        static Agent? LeastLoaded(IEnumerable<Agent> pool) =>
            pool.OrderBy(a => a.OpenConversations).ThenBy(a => a.Id, StringComparer.Ordinal).FirstOrDefault();

        var available = agents.Where(a => a.AvailableAt(now)).ToList();
        if (LeastLoaded(available.Where(a => a.Speaks(language))) is { } best)
        {
            rules.Add(new("assignee.least-loaded", $"{ownerNote}; {best.Id} speaks {language}, is available and has the fewest open conversations ({best.OpenConversations})"));
            return best.Id;
        }
        if (LeastLoaded(available) is { } anyone)
        {
            rules.Add(new("assignee.least-loaded-any-language", $"{ownerNote}; no available agent speaks {language}: {anyone.Id} has the fewest open conversations ({anyone.OpenConversations})"));
            return anyone.Id;
        }
        if (owner is not null)
        {
            rules.Add(new("assignee.owner-when-back", $"{ownerNote}, and nobody else is available: it waits for {owner}"));
            return owner;
        }
        if ((LeastLoaded(agents.Where(a => a.Speaks(language))) ?? LeastLoaded(agents)) is { } later)
        {
            rules.Add(new("assignee.least-loaded-when-back", $"nobody is available now; {later.Id} has the fewest open conversations ({later.OpenConversations})"));
            return later.Id;
        }
        rules.Add(new("assignee.none", "no agents are configured: the conversation waits in the shared queue"));
        return null;
    }

    private static DateTimeOffset DecideRespondBy(RoutingInput input, Urgency urgency, List<FiredRule> rules)
    {
        var hours = input.Business.Hours;
        var from = input.Conversation.ReplyOwedSince!.Value;
        var sla = input.Business.Sla.For(urgency);
        var start = hours.NextOpen(from);
        var due = hours.Add(from, sla);
        string clock = start == from ? $"from {Time(from)}" : $"from the next opening {Time(start)} (the message came at {Time(from)}, outside business hours)";
        rules.Add(new($"respondBy.sla-{urgency.Name()}", $"{ContextStage.Describe(sla)} of business hours ({hours}) {clock}"));
        return due;
    }

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
}
