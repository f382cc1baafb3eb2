using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing;

namespace Threadline.Pipeline.FollowUp;

/// <summary>How follow-ups are timed. Data a person can change; defaults in the initialisers.</summary>
public sealed record FollowUpPolicy
{
    /// <value>The first follow-up waits this multiple of the contact's median reply delay. Default 3.</value>
    public double ReplyDelayMultiple { get; init; } = 3;
    /// <value>Never sooner than this after our message. Default 4 hours.</value>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromHours(4);
    /// <value>Never later than this after our message (before daytime adjustment). Default 3 days.</value>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromDays(3);
    /// <value>The delay when neither the contact nor similar contacts have replied before. Default 1 day.</value>
    public TimeSpan DefaultDelay { get; init; } = TimeSpan.FromDays(1);
    /// <value>Each later follow-up waits this many times longer. Default 2.</value>
    public double Backoff { get; init; } = 2;
    /// <value>At most this many follow-ups per silence. Default 2.</value>
    public int MaxAttempts { get; init; } = 2;
    /// <value>The contact's daytime, in their time zone. Default 09:00–19:00.</value>
    public LocalTime DaytimeStart { get; init; } = new(9, 0);
    public LocalTime DaytimeEnd { get; init; } = new(19, 0);
    /// <value>When the planned time falls at most this long after the window closes, a free-text follow-up before it closes is preferred. Default 12 hours.</value>
    public TimeSpan PreferWindowWithin { get; init; } = TimeSpan.FromHours(12);
    /// <value>A free-text follow-up is sent at least this long before the window closes. Default 30 minutes.</value>
    public TimeSpan WindowMargin { get; init; } = TimeSpan.FromMinutes(30);

    /// <value>The free-text follow-up per language (ISO 639-1), inside the window. <c>{name}</c> is the contact's name.</value>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = new Dictionary<string, string>
    {
        ["en"] = "Hi {name}, just checking in: do you have any questions about our offer?",
        ["de"] = "Hallo {name}, ich wollte kurz nachfragen: Haben Sie noch Fragen zu unserem Angebot?",
    };

    /// <value>Approved templates for follow-ups outside the window, per language; none by default (then a person is asked instead).</value>
    public IReadOnlyList<FollowUpTemplate> Templates { get; init; } = [];

    public static readonly FollowUpPolicy Default = new();
}

/// <summary>An approved WhatsApp template for follow-ups: name, language code as registered (e.g. <c>de</c>, <c>en_US</c>), body parameters.</summary>
public sealed record FollowUpTemplate(string Name, string Language, IReadOnlyList<string> Parameters)
{
    /// <summary>The ISO 639-1 part of the language code (<c>en_US</c> → <c>en</c>).</summary>
    public string BaseLanguage => Language.Split('_', '-')[0].ToLowerInvariant();
}

/// <summary>What a due follow-up sends: free text, a template, or nothing (and why).</summary>
public sealed record FollowUpMessage(string? Text, FollowUpTemplate? Template, string Reason)
{
    public bool IsNone => Text is null && Template is null;

    /// <summary>
    /// Chooses the content when the follow-up fires: free text in the conversation's language while the window is open;
    /// otherwise an approved template in that language (else in any configured language); with neither, nothing, and a
    /// person is asked to step in. The template is also returned with free text, as the fallback should the window close first.
    /// </summary>
    public static FollowUpMessage Choose(FollowUpPolicy policy, string? language, bool windowOpen, string? contactName)
    {
        string lang = language ?? policy.Texts.Keys.FirstOrDefault() ?? "en";
        var template = policy.Templates.FirstOrDefault(t => t.BaseLanguage == lang) ?? policy.Templates.FirstOrDefault();
        if (template is not null)
            template = template with { Parameters = template.Parameters.Select(p => p.Replace("{name}", contactName ?? "", StringComparison.Ordinal)).ToList() };
        if (windowOpen && (policy.Texts.GetValueOrDefault(lang) ?? policy.Texts.Values.FirstOrDefault()) is { } text)
        {
            string name = string.IsNullOrWhiteSpace(contactName) ? "" : contactName.Trim();
            text = text.Replace(" {name}", name.Length > 0 ? " " + name : "", StringComparison.Ordinal).Replace("{name}", name, StringComparison.Ordinal);
            return new(text, template, $"inside the window: free text in '{lang}'");
        }
        return template is not null
            ? new(null, template, $"outside the window: the approved template '{template.Name}' ({template.Language})")
            : new(null, null, "outside the window and no approved template is configured: not sent; a person must take over");
    }
}

/// <summary>Free text (inside the 24-hour window) or an approved template (outside it).</summary>
public enum FollowUpKind { Freeform, Template }

/// <summary>A planned follow-up: when, of which kind, which attempt, and why that time.</summary>
public sealed record FollowUpPlan(DateTimeOffset At, FollowUpKind Kind, int Attempt, IReadOnlyList<FiredRule> Rules);

/// <summary>Everything the planner reads.</summary>
/// <param name="SimilarContactsMedian">The median reply delay of similar contacts (same deal stage / country), for a contact with no history.</param>
/// <param name="Sent">Follow-ups already sent in this silence.</param>
public sealed record FollowUpInput(
    SilenceReading Silence,
    Conversation Conversation,
    ContactHistory History,
    ContactProfile Contact,
    BusinessProfile Business,
    FollowUpPolicy Policy,
    int Sent,
    TimeSpan? SimilarContactsMedian,
    DateTimeOffset Now);

/// <summary>
/// Step 5, timing: when (and whether) to follow up a silence. Adaptive, not a fixed timer: the delay follows the
/// contact's own reply pattern, lands in their daytime and on the business's working days, backs off, stops after
/// <see cref="FollowUpPolicy.MaxAttempts"/> or an opt-out, and prefers free text before the window closes over a
/// paid template after it. Every choice is recorded as a rule.
/// </summary>
public static class FollowUpPlanner
{
    public static (FollowUpPlan? Plan, IReadOnlyList<FiredRule> Rules) Plan(FollowUpInput input)
    {
        var rules = new List<FiredRule> { input.Silence.Rule };
        var p = input.Policy;
        if (input.Silence.Silence != Silence.Hesitation)
            return (null, rules);
        if (input.Contact.OptedOut || input.Conversation.LastIntent == "opt_out")
        {
            rules.Add(new("followUp.opted-out", "the contact opted out: no follow-ups"));
            return (null, rules);
        }
        if (input.Sent >= p.MaxAttempts)
        {
            rules.Add(new("followUp.max-attempts", $"{input.Sent} of at most {p.MaxAttempts} follow-ups already sent"));
            return (null, rules);
        }
        var anchor = input.Conversation.LastOutboundAt ?? input.Conversation.LastMessageAt;

        // 1. The delay: this contact's pattern, else similar contacts', else the default; bounded; backed off per attempt.
        var pattern = input.History.ReplyPattern;
        TimeSpan delay;
        string basis;
        if (pattern.Median is { } median)
        {
            delay = median * p.ReplyDelayMultiple;
            basis = $"{p.ReplyDelayMultiple}× the contact's median reply delay {ContextStage.Describe(median)} ({pattern.Samples} replies)";
        }
        else if (input.SimilarContactsMedian is { } similar)
        {
            delay = similar * p.ReplyDelayMultiple;
            basis = $"{p.ReplyDelayMultiple}× similar contacts' median reply delay {ContextStage.Describe(similar)} (no history of their own)";
        }
        else
        {
            delay = p.DefaultDelay;
            basis = $"the default delay (no reply history)";
        }
        var bounded = delay < p.MinDelay ? p.MinDelay : delay > p.MaxDelay ? p.MaxDelay : delay;
        if (bounded != delay) basis += $", bounded to {ContextStage.Describe(bounded)}";
        if (input.Sent > 0)
        {
            bounded *= Math.Pow(p.Backoff, input.Sent);
            basis += $", ×{Math.Pow(p.Backoff, input.Sent)} for follow-up {input.Sent + 1}";
        }
        var at = anchor + bounded;
        rules.Add(new("followUp.delay", $"{ContextStage.Describe(bounded)} after our message at {RoutingStage.Time(anchor)}: {basis}"));
        if (at < input.Now)
        {
            rules.Add(new("followUp.overdue", $"{RoutingStage.Time(at)} has passed with no follow-up sent: due now"));
            at = input.Now;
        }

        // 2. Into the contact's daytime and off the business's closed days.
        var clock = ContactClock.For(input.Contact, input.Business);
        var daytime = new WorkingHours(clock.TimeZone, Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None), p.DaytimeStart, p.DaytimeEnd);
        var adjusted = IntoDaytime(at, daytime, input.Business.Hours);
        if (adjusted != at)
            rules.Add(new("followUp.daytime", $"moved to {RoutingStage.Time(adjusted)}: the contact's daytime is {p.DaytimeStart:HH:mm}–{p.DaytimeEnd:HH:mm} {clock.TimeZone} ({clock.Source}) on the business's working days"));
        at = adjusted;

        // 3. The window: free text inside it; just after it closes, free text before it closes beats a paid template.
        var windowEnd = ConversationContext.WindowEnd(input.History.LastInboundAt, input.Conversation.WindowFromAd);
        if (windowEnd is { } end && at <= end - p.WindowMargin)
        {
            rules.Add(new("followUp.freeform", $"inside the customer-service window (open until {RoutingStage.Time(end)})"));
            return (new FollowUpPlan(at, FollowUpKind.Freeform, input.Sent + 1, rules), rules);
        }
        if (windowEnd is { } closes && at - closes <= p.PreferWindowWithin)
        {
            var earliest = Max(input.Now, anchor + p.MinDelay);
            if (LatestDaytimeBefore(closes - p.WindowMargin, earliest, daytime, input.Business.Hours) is { } before)
            {
                rules.Add(new("followUp.before-window-closes", $"{RoutingStage.Time(at)} would be {ContextStage.Describe(at - closes)} after the window closes at {RoutingStage.Time(closes)}: free text at {RoutingStage.Time(before)} instead of a paid template"));
                return (new FollowUpPlan(before, FollowUpKind.Freeform, input.Sent + 1, rules), rules);
            }
        }
        rules.Add(new("followUp.template", windowEnd is { } e2
            ? $"the window closed at {RoutingStage.Time(e2)}: only an approved template may be sent"
            : "the contact never wrote to us: only an approved template may be sent"));
        return (new FollowUpPlan(at, FollowUpKind.Template, input.Sent + 1, rules), rules);
    }

    private static DateTimeOffset IntoDaytime(DateTimeOffset t, WorkingHours daytime, WorkingHours business)
    {
        for (int i = 0; i < 60; i++)
        {
            t = daytime.NextOpen(t);
            var date = business.DateOf(Instant.FromDateTimeOffset(t));
            if (business.Days.Count == 0 || business.IsWorkingDay(date)) return t;
            t = business.Zone.AtStartOfDay(date.PlusDays(1)).ToDateTimeOffset();
        }
        return t;
    }

    private static DateTimeOffset? LatestDaytimeBefore(DateTimeOffset latest, DateTimeOffset earliest, WorkingHours daytime, WorkingHours business)
    {
        var t = latest;
        for (int i = 0; i < 14 && t >= earliest; i++)
        {
            if (daytime.LatestOpenAtOrBefore(t, earliest) is not { } open) return null;
            var date = business.DateOf(Instant.FromDateTimeOffset(open));
            if (business.Days.Count == 0 || business.IsWorkingDay(date)) return open;
            t = business.Zone.AtStartOfDay(date).ToDateTimeOffset().AddTicks(-1);
        }
        return null;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
