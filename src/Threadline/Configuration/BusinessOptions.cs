using System.ComponentModel.DataAnnotations;
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(DefaultRegion) && RegionTable.Default.ByRegion(DefaultRegion) is null)
            yield return new ValidationResult($"Business:DefaultRegion '{DefaultRegion}' is not an ISO 3166 region Threadline knows.", [nameof(DefaultRegion)]);
        if (!Stages.Contains("won") || !Stages.Contains("lost") || Stages.Distinct(StringComparer.Ordinal).Count() != Stages.Count)
            yield return new ValidationResult("Business:DealStages must be distinct and include 'won' and 'lost'.", [nameof(DealStages)]);
        if (!System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return new ValidationResult($"Business:TimeZone '{TimeZone}' is not a known IANA time zone.", [nameof(TimeZone)]);
    }
}
