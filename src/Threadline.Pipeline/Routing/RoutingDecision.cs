using Threadline.Pipeline.Business;

namespace Threadline.Pipeline.Routing;

/// <summary>Who answers.</summary>
public enum Handler { None, Automation, Human }

/// <summary>A rule that fired, with what it fired on. <see cref="Rule"/> is a stable id (<c>urgency.complaint</c>), the detail is for people.</summary>
public sealed record FiredRule(string Rule, string Detail)
{
    public override string ToString() => $"{Rule}: {Detail}";
}

/// <summary>
/// Step 4's result for one moment of a conversation: whether a reply is needed, how urgent, who answers and by when,
/// with every rule that fired, in the order the decisions were taken.
/// </summary>
/// <param name="Assignee">The agent who should answer; null unless <see cref="Handler"/> is human (or when nobody can be assigned).</param>
/// <param name="RespondBy">The SLA deadline; null when no reply is needed.</param>
/// <param name="RecordOptOut">The contact asked not to be messaged: the runner records the opt-out on the contact.</param>
public sealed record RoutingDecision(
    bool NeedsReply,
    Urgency Urgency,
    Handler Handler,
    string? Assignee,
    DateTimeOffset? RespondBy,
    string Intent,
    string Language,
    bool RecordOptOut,
    IReadOnlyList<FiredRule> Rules)
{
    /// <summary>The rule that settled whether and how to answer: the handler's rule, else the reply rule.</summary>
    public string PrimaryRule => Rules.FirstOrDefault(r => r.Rule.StartsWith("handler.", StringComparison.Ordinal))?.Rule ?? Rules[0].Rule;

    public IEnumerable<string> Reasons => Rules.Select(r => r.ToString());
}

public static class RoutingNames
{
    public static string Name(this Urgency u) => u switch { Urgency.High => "high", Urgency.Low => "low", _ => "normal" };
    public static string Name(this Handler h) => h switch { Handler.Human => "human", Handler.Automation => "automation", _ => "none" };
}
