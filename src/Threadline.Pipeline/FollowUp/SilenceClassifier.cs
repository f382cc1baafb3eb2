using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Pipeline.FollowUp;

/// <summary>What the contact's silence after our last message means.</summary>
public enum Silence { None, Hesitation, Completion }

/// <summary>The reading of a silence, with the rule that gave it.</summary>
public sealed record SilenceReading(Silence Silence, FiredRule Rule);

/// <summary>
/// Step 5's first question: does the silence after our last message mean the buyer hesitates (a follow-up may help)
/// or that the exchange is complete (a follow-up would be noise)? Reads our last message with the rules' outbound
/// phrases, the contact's last words and the deal stage.
/// </summary>
public static class SilenceClassifier
{
    private static readonly HashSet<string> HesitationStages = ["quote_sent", "negotiation"];
    private static readonly HashSet<string> DoneStages = ["won", "lost", "closed_won", "closed_lost"];

    /// <param name="ourLastText">The text of our last message (null for a template or media without caption).</param>
    public static SilenceReading Classify(RuleSet rules, Conversation conversation, DealInfo? deal, string? ourLastText, IReadOnlyList<string> languages)
    {
        if (conversation.LastFrom == Party.Contact)
            return new(Silence.None, new("silence.none", "the last message is the contact's"));
        if (deal is { } d && DoneStages.Contains(d.Stage))
            return new(Silence.Completion, new("silence.deal-done", $"the deal is {d.Stage}"));
        string text = ourLastText is null ? "" : TextNormaliser.Normalise(ourLastText);
        var order = languages.Where(rules.Languages.ContainsKey).OrderBy(l => l == conversation.Language ? 0 : 1).ToList();
        foreach (var l in order)
            if (rules.OutboundClosing.For(l).FirstMatch(text) is { } closing)
                return new(Silence.Completion, new("silence.we-closed", $"our last message closes the exchange: '{closing}'"));
        foreach (var l in order)
            if (rules.OutboundHesitation.For(l).FirstMatch(text) is { } asked)
                return new(Silence.Hesitation, new("silence.awaiting-answer", $"our last message asks or offers something: '{asked}'"));
        if (deal is { } open && HesitationStages.Contains(open.Stage))
            return new(Silence.Hesitation, new("silence.deal-pending", $"the deal is open at {open.Stage}"));
        if (conversation.LastIntent is "acknowledgement" or "closing")
            return new(Silence.Completion, new("silence.acknowledged", $"the contact's last message was {conversation.LastIntent}"));
        return new(Silence.Completion, new("silence.answered", "we answered and asked nothing of them"));
    }
}
