using System.Globalization;
using NodaTime;

namespace Threadline.Pipeline.FollowUp;

/// <summary>
/// The follow-up policy as people edit it (API, JSON): plain numbers in minutes and "HH:mm" times. Validated as a whole
/// (every mistake named), then turned into the <see cref="FollowUpPolicy"/> the planner reads.
/// </summary>
public sealed record FollowUpPolicyDocument
{
    public double ReplyDelayMultiple { get; init; } = 3;
    public double MinDelayMinutes { get; init; } = 240;
    public double MaxDelayMinutes { get; init; } = 3 * 1440;
    public double DefaultDelayMinutes { get; init; } = 1440;
    public double Backoff { get; init; } = 2;
    public int MaxAttempts { get; init; } = 2;
    public string DaytimeStart { get; init; } = "09:00";
    public string DaytimeEnd { get; init; } = "19:00";
    public double PreferWindowWithinMinutes { get; init; } = 720;
    public double WindowMarginMinutes { get; init; } = 30;
    public Dictionary<string, string> Texts { get; init; } = new(FollowUpPolicy.Default.Texts);
    public List<FollowUpTemplateDocument> Templates { get; init; } = [];

    public static FollowUpPolicyDocument From(FollowUpPolicy p) => new()
    {
        ReplyDelayMultiple = p.ReplyDelayMultiple, MinDelayMinutes = p.MinDelay.TotalMinutes, MaxDelayMinutes = p.MaxDelay.TotalMinutes,
        DefaultDelayMinutes = p.DefaultDelay.TotalMinutes, Backoff = p.Backoff, MaxAttempts = p.MaxAttempts,
        DaytimeStart = p.DaytimeStart.ToString("HH:mm", CultureInfo.InvariantCulture), DaytimeEnd = p.DaytimeEnd.ToString("HH:mm", CultureInfo.InvariantCulture),
        PreferWindowWithinMinutes = p.PreferWindowWithin.TotalMinutes, WindowMarginMinutes = p.WindowMargin.TotalMinutes,
        Texts = new(p.Texts), Templates = p.Templates.Select(t => new FollowUpTemplateDocument(t.Name, t.Language, [.. t.Parameters])).ToList(),
    };

    /// <summary>Every mistake, as a sentence naming the field; empty when the policy can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Range(string field, double value, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max) errors.Add($"{field} must be between {min} and {max} (was {value}).");
        }
        Range("replyDelayMultiple", ReplyDelayMultiple, 0.1, 100);
        Range("minDelayMinutes", MinDelayMinutes, 1, 30 * 1440);
        Range("maxDelayMinutes", MaxDelayMinutes, 1, 60 * 1440);
        Range("defaultDelayMinutes", DefaultDelayMinutes, 1, 60 * 1440);
        Range("backoff", Backoff, 1, 10);
        Range("maxAttempts", MaxAttempts, 0, 10);
        Range("preferWindowWithinMinutes", PreferWindowWithinMinutes, 0, 7 * 1440);
        Range("windowMarginMinutes", WindowMarginMinutes, 0, 1440);
        if (MinDelayMinutes > MaxDelayMinutes) errors.Add($"minDelayMinutes ({MinDelayMinutes}) must not exceed maxDelayMinutes ({MaxDelayMinutes}).");
        var start = Time("daytimeStart", DaytimeStart, errors);
        var end = Time("daytimeEnd", DaytimeEnd, errors);
        if (start is { } s && end is { } e && s >= e) errors.Add($"daytimeStart ({DaytimeStart}) must be before daytimeEnd ({DaytimeEnd}).");
        foreach (var (language, text) in Texts ?? [])
        {
            if (language is not { Length: 2 } || !language.All(char.IsAsciiLetterLower)) errors.Add($"texts: '{language}' is not a two-letter language code.");
            if (string.IsNullOrWhiteSpace(text)) errors.Add($"texts.{language} is empty.");
            else if (text.Length > 4096) errors.Add($"texts.{language} is longer than WhatsApp's 4096 characters.");
        }
        foreach (var (t, i) in (Templates ?? []).Select((t, i) => (t, i)))
        {
            if (string.IsNullOrWhiteSpace(t.Name) || !t.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
                errors.Add($"templates[{i}].name must be a template name as registered (lower-case letters, digits, '_').");
            if (string.IsNullOrWhiteSpace(t.Language)) errors.Add($"templates[{i}].language is missing.");
            if ((t.Parameters ?? []).Any(string.IsNullOrEmpty)) errors.Add($"templates[{i}].parameters must not contain empty values.");
        }
        return errors;
    }

    private static LocalTime? Time(string field, string? value, List<string> errors)
    {
        if (value is not null && TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            return new LocalTime(t.Hour, t.Minute);
        errors.Add($"{field} must be a time as HH:mm (was '{value}').");
        return null;
    }

    /// <summary>The planner's policy; call <see cref="Validate"/> first.</summary>
    public FollowUpPolicy ToPolicy() => new()
    {
        ReplyDelayMultiple = ReplyDelayMultiple, MinDelay = TimeSpan.FromMinutes(MinDelayMinutes), MaxDelay = TimeSpan.FromMinutes(MaxDelayMinutes),
        DefaultDelay = TimeSpan.FromMinutes(DefaultDelayMinutes), Backoff = Backoff, MaxAttempts = MaxAttempts,
        DaytimeStart = Parse(DaytimeStart), DaytimeEnd = Parse(DaytimeEnd),
        PreferWindowWithin = TimeSpan.FromMinutes(PreferWindowWithinMinutes), WindowMargin = TimeSpan.FromMinutes(WindowMarginMinutes),
        Texts = new Dictionary<string, string>(Texts ?? []),
        Templates = (Templates ?? []).Select(t => new FollowUpTemplate(t.Name, t.Language, t.Parameters ?? [])).ToList(),
    };

    private static LocalTime Parse(string hhmm)
    {
        var t = TimeOnly.ParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture);
        return new LocalTime(t.Hour, t.Minute);
    }
}

public sealed record FollowUpTemplateDocument(string Name, string Language, List<string>? Parameters);
