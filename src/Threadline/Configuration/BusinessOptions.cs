using System.ComponentModel.DataAnnotations;
using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Identity;

namespace Threadline.Configuration;

/// <summary>The business Threadline works for (section <c>Business</c>).</summary>
public sealed class BusinessOptions : IValidatableObject
{
    public const string Section = "Business";

    /// <summary>ISO 3166 region used to read phone numbers people type without a country code (e.g. <c>DE</c>: <c>0170 1234567</c>).
    /// Empty: only international notation is understood.</summary>
    public string? DefaultRegion { get; set; }

    /// <summary>The business's own IANA time zone (business hours, SLAs).</summary>
    /// <value>The default value is <c>UTC</c>.</value>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The deal stages, in order. <c>won</c> and <c>lost</c> close a deal and must be among them.</summary>
    /// <value>The default value is new, qualified, quote_sent, negotiation, won, lost.</value>
    public List<string> DealStages { get; set; } = [];

    /// <summary>The stages in force: the configured list, or the defaults when none is configured.</summary>
    public IReadOnlyList<string> Stages => DealStages.Count > 0 ? DealStages : ["new", "qualified", "quote_sent", "negotiation", "won", "lost"];

    /// <summary>Languages the business answers in (ISO 639-1), preferred first. Only these languages' rules are used.</summary>
    /// <value>The default value is en.</value>
    public List<string> Languages { get; set; } = [];

    /// <summary>Opening days, e.g. <c>Mon-Fri</c> or <c>Mon,Tue,Wed,Thu,Fri,Sat</c>.</summary>
    /// <value>The default value is Mon-Fri.</value>
    public string OpenDays { get; set; } = "Mon-Fri";

    /// <summary>Opening time (HH:mm, business time zone).</summary>
    /// <value>The default value is 09:00.</value>
    public string Opens { get; set; } = "09:00";

    /// <summary>Closing time (HH:mm, or 24:00).</summary>
    /// <value>The default value is 18:00.</value>
    public string Closes { get; set; } = "18:00";

    /// <summary>Dates the business is closed (public holidays), yyyy-MM-dd.</summary>
    public List<string> ClosedDates { get; set; } = [];

    /// <summary>A deal in negotiation at or above this value makes its contact's messages high urgency. Empty: no such rule.</summary>
    public decimal? HighValueThreshold { get; set; }

    /// <summary>Intents automation may answer (e.g. opening_hours, address, catalogue). Empty: people answer everything.</summary>
    public List<string> AutomationIntents { get; set; } = [];

    /// <summary>Response targets in minutes of business hours.</summary>
    /// <value>The default values are 15 (high), 60 (normal) and 240 (low).</value>
    [Range(1, 100_000)] public int SlaHighMinutes { get; set; } = 15;
    [Range(1, 100_000)] public int SlaNormalMinutes { get; set; } = 60;
    [Range(1, 100_000)] public int SlaLowMinutes { get; set; } = 240;

    /// <summary>Days of silence after which a message opens a new conversation.</summary>
    /// <value>The default value is 7.</value>
    [Range(0.01, 3650)] public double ConversationGapDays { get; set; } = 7;

    /// <summary>The business as the decision stages see it.</summary>
    public BusinessProfile ToProfile() => new(
        TimeZone,
        string.IsNullOrWhiteSpace(DefaultRegion) ? "US" : DefaultRegion,
        Languages.Count > 0 ? Languages : ["en"],
        WorkingHoursText.Parse(OpenDays, Opens, Closes, TimeZone, ClosedDates.Select(d => LocalDate.FromDateTime(DateTime.ParseExact(d, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))))
            ?? throw new FormatException("Business:OpenDays is empty"),
        HighValueThreshold,
        AutomationIntents,
        new SlaPolicy(TimeSpan.FromMinutes(SlaHighMinutes), TimeSpan.FromMinutes(SlaNormalMinutes), TimeSpan.FromMinutes(SlaLowMinutes)),
        TimeSpan.FromDays(ConversationGapDays));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(DefaultRegion) && RegionTable.Default.ByRegion(DefaultRegion) is null)
            yield return new ValidationResult($"Business:DefaultRegion '{DefaultRegion}' is not an ISO 3166 region Threadline knows.", [nameof(DefaultRegion)]);
        if (!Stages.Contains("won") || !Stages.Contains("lost") || Stages.Distinct(StringComparer.Ordinal).Count() != Stages.Count)
            yield return new ValidationResult("Business:DealStages must be distinct and include 'won' and 'lost'.", [nameof(DealStages)]);
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone) is null)
        {
            yield return new ValidationResult($"Business:TimeZone '{TimeZone}' is not a known IANA time zone.", [nameof(TimeZone)]);
            yield break;
        }
        string? hoursError = null;
        try { ToProfile(); }
        catch (FormatException ex) { hoursError = ex.Message; }
        if (hoursError is not null)
            yield return new ValidationResult($"Business hours: {hoursError} (OpenDays like Mon-Fri, Opens/Closes like 09:00, ClosedDates like 2026-12-25).", [nameof(OpenDays)]);
    }
}
