namespace Threadline.Pipeline.Business;

/// <summary>Response-time targets by urgency, counted in open hours.</summary>
/// <value>Defaults: high 15 minutes, normal 1 hour, low 4 hours.</value>
public sealed record SlaPolicy(TimeSpan High, TimeSpan Normal, TimeSpan Low)
{
    public static readonly SlaPolicy Default = new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(4));

    public TimeSpan For(Urgency urgency) => urgency switch { Urgency.High => High, Urgency.Low => Low, _ => Normal };
}

/// <summary>How urgent a reply is.</summary>
public enum Urgency { Low, Normal, High }

/// <summary>
/// The business as the decision stages see it: where it is, which languages it answers in, when it is open, what it
/// lets automation answer, and its response targets.
/// </summary>
/// <param name="Languages">Languages the business answers in, preferred first (ISO 639-1). Only their rules are used.</param>
/// <param name="HighValueThreshold">A deal in negotiation at or above this value makes a message high urgency; null disables that rule.</param>
/// <param name="AutomationIntents">Intents the business lets automation answer (e.g. <c>opening_hours</c>, <c>address</c>, <c>catalogue</c>).</param>
/// <param name="ConversationGap">Inactivity after which a message opens a new conversation (default 7 days).</param>
public sealed record BusinessProfile(
    string TimeZone,
    string DefaultRegion,
    IReadOnlyList<string> Languages,
    WorkingHours Hours,
    decimal? HighValueThreshold,
    IReadOnlyList<string> AutomationIntents,
    SlaPolicy Sla,
    TimeSpan ConversationGap)
{
    public static readonly TimeSpan DefaultConversationGap = TimeSpan.FromDays(7);

    /// <summary>
    /// The automatic answers automation sends. Null (scenarios, tests of routing alone): any enabled intent counts as
    /// answerable. Set (the server): automation takes a message only when every question has an answer in its language.
    /// </summary>
    public Automation.AnswerBook? Answers { get; init; }

    /// <summary>The defaults a scenario or a fresh install starts from: Mon–Fri 09:00–18:00 in the given zone.</summary>
    public static BusinessProfile Default(string timeZone = "UTC", string defaultRegion = "US") => new(
        timeZone, defaultRegion, ["en"],
        new WorkingHours(timeZone, [NodaTime.IsoDayOfWeek.Monday, NodaTime.IsoDayOfWeek.Tuesday, NodaTime.IsoDayOfWeek.Wednesday,
            NodaTime.IsoDayOfWeek.Thursday, NodaTime.IsoDayOfWeek.Friday], new NodaTime.LocalTime(9, 0), new NodaTime.LocalTime(18, 0)),
        null, [], SlaPolicy.Default, DefaultConversationGap);
}
