namespace Threadline.Pipeline.Context;

/// <summary>Something the contact asked about, and when.</summary>
public sealed record Inquiry(string Intent, DateTimeOffset At);

/// <summary>
/// What Threadline remembers about a contact across conversations, kept as one small row per contact and updated
/// with every message (so context never re-reads a contact's whole history): how many conversations, how the last
/// one ended, what they asked, how long they take to answer us.
/// </summary>
/// <param name="Conversations">Conversations so far, the current one included.</param>
/// <param name="LastOutcome">How the previous conversation ended (<see cref="Outcomes"/>).</param>
/// <param name="ReplyDelays">Seconds between our message and their next one, oldest first, the last <see cref="MaxSamples"/>.</param>
/// <param name="Inquiries">What they asked (intents that are requests, not thanks or greetings), the last <see cref="MaxInquiries"/>.</param>
/// <param name="AwaitingReplySince">Our latest message they have not answered yet: the start of the next reply delay.</param>
public sealed record ContactHistory(
    long ContactId,
    int Conversations,
    string? LastOutcome,
    IReadOnlyList<long> ReplyDelays,
    IReadOnlyList<Inquiry> Inquiries,
    DateTimeOffset? LastInboundAt,
    DateTimeOffset? LastOutboundAt,
    DateTimeOffset? AwaitingReplySince,
    string? Language)
{
    public const int MaxSamples = 50, MaxInquiries = 20;

    /// <summary>A reply later than this is a new approach, not an answer: it is not a reply-delay sample.</summary>
    public static readonly TimeSpan LongestReply = TimeSpan.FromDays(14);

    /// <summary>Intents that are not inquiries.</summary>
    public static readonly IReadOnlySet<string> NotInquiries = new HashSet<string>
        { "acknowledgement", "greeting", "closing", "other", "media", "system", "withdrawn", "opt_out" };

    public static ContactHistory Empty(long contactId) => new(contactId, 0, null, [], [], null, null, null, null);

    public ReplyPattern ReplyPattern => ReplyPattern.Of(ReplyDelays);
}

/// <summary>A contact's typical reply delay: median and spread (quartiles) over their past replies to us.</summary>
public sealed record ReplyPattern(int Samples, TimeSpan? Median, TimeSpan? P25, TimeSpan? P75)
{
    public static ReplyPattern Of(IReadOnlyList<long> seconds)
    {
        if (seconds.Count == 0) return new ReplyPattern(0, null, null, null);
        var sorted = seconds.Order().ToArray();
        return new ReplyPattern(sorted.Length, Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75));
    }

    // Linear interpolation between order statistics (the usual "type 7" quantile).
    private static TimeSpan Quantile(long[] sorted, double q)
    {
        double pos = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        double value = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
        return TimeSpan.FromSeconds(Math.Round(value));
    }
}
