using System.Globalization;
using NodaTime;
using Threadline.Pipeline;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Tests.Routing;

/// <summary>Small builders shared by the decision-stage tests (routing, context, follow-ups, business hours).</summary>
internal static class DecisionFixtures
{
    public static readonly IsoDayOfWeek[] Weekdays =
        [IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday];

    public static readonly IsoDayOfWeek[] EveryDay = [.. Weekdays, IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday];

    /// <summary>An instant written as ISO 8601 UTC ("2026-03-10T09:00Z" or with seconds).</summary>
    public static DateTimeOffset Utc(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static LocalDate Date(string iso) => LocalDate.FromDateTime(DateTime.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>Opening hours on the given days (Mon–Fri by default) in a zone, with closed dates.</summary>
    public static WorkingHours Hours(string zone = "Europe/Berlin", int open = 9, int close = 18, IsoDayOfWeek[]? days = null, params string[] closed) =>
        new(zone, days ?? Weekdays, new LocalTime(open, 0), close == 24 ? null : new LocalTime(close, 0), closed.Select(Date));

    /// <summary>A business in Berlin answering in German and English, Mon–Fri 09:00–18:00 unless told otherwise.</summary>
    public static BusinessProfile Berlin(decimal? highValueThreshold = null, IReadOnlyList<string>? automation = null, WorkingHours? hours = null) =>
        new("Europe/Berlin", "DE", ["de", "en"], hours ?? Hours(), highValueThreshold, automation ?? [], SlaPolicy.Default,
            BusinessProfile.DefaultConversationGap);

    public static ConversationPipeline Pipeline(BusinessProfile? business = null) => new(RuleSet.Default, business ?? Berlin());

    public static ContactProfile Contact(string? phone = "+4915112345678", string? owner = null, bool vip = false, bool optedOut = false,
        string? timeZone = null, DealInfo? deal = null) =>
        new(1, "Test Contact", phone, owner, vip, optedOut, timeZone, null, deal);

    public static ThreadMessage In(string at, string text, string type = "text", string? quoted = null, string? id = null) =>
        new(id ?? "in-" + at, Utc(at), Party.Contact, type, text, null, quoted);

    public static ThreadMessage Out(string at, string text, string agent = "anna", string? id = null) =>
        new(id ?? "out-" + at, Utc(at), Party.Agent, "text", text, agent);

    /// <summary>Threads messages in order through the pipeline; returns the final history, conversation and every step.</summary>
    public static (ContactHistory History, Conversation Conversation, List<ContextStep> Steps) Thread(
        ConversationPipeline pipeline, ContactProfile contact, params ThreadMessage[] messages)
    {
        var history = ContactHistory.Empty(contact.Id);
        Conversation? current = null;
        var steps = new List<ContextStep>();
        long next = 1;
        foreach (var m in messages)
        {
            var (step, _) = pipeline.Apply(history, current, null, m, contact, () => next++);
            history = step.History;
            current = step.Conversation;
            steps.Add(step);
        }
        return (history, current!, steps);
    }
}
