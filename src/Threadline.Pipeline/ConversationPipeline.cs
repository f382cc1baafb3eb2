using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.FollowUp;
using Threadline.Pipeline.Identity;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Pipeline;

/// <summary>Everything decided at one moment of a conversation: the context it was decided in, routing, silence, follow-up.</summary>
public sealed record MomentDecision(
    ConversationContext Context,
    RoutingDecision Routing,
    SilenceReading Silence,
    FollowUpPlan? FollowUp,
    IReadOnlyList<FiredRule> FollowUpRules)
{
    /// <summary>What automation sends when routing chose it and the business wrote the answers: one per question, in the order asked.</summary>
    public IReadOnlyList<Automation.AutomaticAnswer> Answers { get; init; } = [];

    public IEnumerable<string> Reasons =>
        Routing.Rules.Concat(FollowUpRules).Select(r => r.ToString()).Prepend($"context: {Context.Threading}");
}

/// <summary>
/// Steps 3 to 5 composed for one business and one rule set: read a message (rules), thread it (context), and decide at
/// a moment (routing, silence, follow-up timing). Pure; the inbox runner, <c>threadline replay</c> and the chat
/// import all go through it, so live traffic, scenarios and history are understood the same way.
/// </summary>
public sealed class ConversationPipeline(RuleSet rules, BusinessProfile business, FollowUpPolicy? followUps = null)
{
    public RuleSet Rules => rules;
    public BusinessProfile Business => business;
    public FollowUpPolicy FollowUps { get; } = followUps ?? FollowUpPolicy.Default;

    /// <summary>Reads an inbound message; language hints: the contact's known language, its number's country, the business's first language.</summary>
    public Understanding Read(ThreadMessage message, ContactProfile contact, ContactHistory history)
    {
        var hints = new List<LanguageHint>(3);
        if (contact.Language is { } stored) hints.Add(new(stored, "contact's language"));
        if (history.Language is { } seen) hints.Add(new(seen, "contact's earlier messages"));
        if (MessageReader.LanguageOfCountry(rules, business.Languages, PhoneNumberNormaliser.RegionOf(contact.Phone)) is { } country)
            hints.Add(new(country, "number's country"));
        return MessageReader.Read(rules, business.Languages, message.Type, message.Text, hints);
    }

    /// <summary>Threads a message (inbound messages are read first).</summary>
    public (ContextStep Step, Understanding? Understanding) Apply(ContactHistory history, Conversation? current, Conversation? quoted,
        ThreadMessage message, ContactProfile contact, Func<long> newId)
    {
        var understanding = message.IsInbound ? Read(message, contact, history) : null;
        return (ContextStage.Apply(history, current, quoted, message, understanding, business.ConversationGap, newId), understanding);
    }

    /// <summary>Step 5 alone, after our message (or when a follow-up comes due): what the silence means and when to follow up, under <paramref name="policy"/>.</summary>
    public (SilenceReading Silence, FollowUpPlan? Plan, IReadOnlyList<FiredRule> Rules) PlanFollowUp(ContactHistory history, Conversation conversation,
        ContactProfile contact, FollowUpPolicy policy, int followUpsSent, TimeSpan? similarContactsMedian, DateTimeOffset now)
    {
        var silence = SilenceClassifier.Classify(rules, conversation, contact.Deal, conversation.LastOutboundText, business.Languages);
        var (plan, planRules) = FollowUpPlanner.Plan(new FollowUpInput(silence, conversation, history, contact, business, policy,
            followUpsSent, similarContactsMedian, now));
        return (silence, plan, planRules);
    }

    /// <summary>The decision at <paramref name="now"/> for a conversation in the state context left it.</summary>
    public MomentDecision Decide(ContactHistory history, Conversation conversation, Threading threading, ContactProfile contact,
        IReadOnlyList<Agent> agents, DateTimeOffset now, int followUpsSent = 0, TimeSpan? similarContactsMedian = null)
    {
        var context = ConversationContext.Build(history, conversation, threading, contact, business, now);
        var routing = RoutingStage.Decide(new RoutingInput(business, agents, contact, conversation, rules.NoReply, now));
        var silence = SilenceClassifier.Classify(rules, conversation, contact.Deal, conversation.LastOutboundText, business.Languages);
        var (plan, followUpRules) = FollowUpPlanner.Plan(new FollowUpInput(silence, conversation, history, contact, business, FollowUps,
            followUpsSent, similarContactsMedian, now));
        var answers = routing.Handler == Handler.Automation && business.Answers is { } book
            ? book.Compose(RoutingStage.Asks(conversation, rules.NoReply), routing.Language) : [];
        return new MomentDecision(context, routing, silence, plan, followUpRules) { Answers = answers };
    }
}
