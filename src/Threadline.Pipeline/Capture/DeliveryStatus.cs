namespace Threadline.Pipeline.Capture;

/// <summary>
/// The forward-only order of a message's delivery status. WhatsApp delivers statuses at least once and out of order;
/// a status only replaces the current one when it ranks higher, so a late <c>sent</c> never overwrites <c>delivered</c>
/// and nothing pulls a message out of <c>failed</c> (terminal).
/// </summary>
public static class DeliveryStatus
{
    public const string Received = "received";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Read = "read";
    public const string Played = "played";
    public const string Failed = "failed";

    /// <summary>Rank of a status; -1 for one WhatsApp may add later (kept in the status log, never applied).</summary>
    public static int Rank(string? status) => status switch
    {
        Received => 0,
        "accepted" or "pending" or "held_for_quality_assessment" => 0,
        Sent => 1,
        Delivered => 2,
        Read => 3,
        Played => 4,
        Failed => 5,
        _ => -1,
    };

    /// <summary>True when <paramref name="next"/> should replace <paramref name="current"/>.</summary>
    public static bool Advances(string? current, string next)
    {
        int rank = Rank(next);
        return rank >= 0 && rank > (current is null ? -1 : Rank(current));
    }
}
