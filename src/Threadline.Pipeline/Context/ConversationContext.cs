using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Identity;

namespace Threadline.Pipeline.Context;

/// <summary>The contact's clock: which time zone, how it was found, and the local time at one instant.</summary>
public sealed record ContactClock(string TimeZone, string Source, DateTimeZone Zone)
{
    /// <summary>A stored zone if it is a real one; else the zone of the number's region (or NANP area code); else the business's.</summary>
    public static ContactClock For(ContactProfile contact, BusinessProfile business)
    {
        if (contact.TimeZone is { } stored && DateTimeZoneProviders.Tzdb.GetZoneOrNull(stored) is { } zone) return new(stored, "stored", zone);
        if (PhoneNumberNormaliser.TimeZoneOf(contact.Phone) is { } byNumber && DateTimeZoneProviders.Tzdb.GetZoneOrNull(byNumber) is { } numberZone)
            return new(byNumber, "number", numberZone);
        return new(business.TimeZone, "business", DateTimeZoneProviders.Tzdb[business.TimeZone]);
    }

    public LocalDateTime LocalAt(DateTimeOffset t) => Instant.FromDateTimeOffset(t).InZone(Zone).LocalDateTime;
}

/// <summary>
/// The context object built for every message and kept with its decision: everything routing and follow-ups read,
/// in a form a person can check.
/// </summary>
/// <param name="PriorConversations">Conversations with this contact before the current one.</param>
/// <param name="LastOutcome">How the previous conversation ended.</param>
/// <param name="SinceOurLastReply">Time since our last message to this contact; null when we never wrote.</param>
/// <param name="WindowClosesAt">When WhatsApp's customer-service window (24 h after their last message, 72 h from an ad) closes.</param>
public sealed record ConversationContext(
    long ConversationId,
    string ConversationState,
    bool NewConversation,
    string Threading,
    int PriorConversations,
    string? LastOutcome,
    IReadOnlyList<Inquiry> InquiryHistory,
    DealInfo? Deal,
    ReplyPattern ReplyDelay,
    DateTimeOffset? OurLastReplyAt,
    TimeSpan? SinceOurLastReply,
    bool WindowOpen,
    DateTimeOffset? WindowClosesAt,
    string ContactTimeZone,
    string ContactTimeZoneSource,
    string ContactLocalTime)
{
    public static readonly TimeSpan ServiceWindow = TimeSpan.FromHours(24), AdWindow = TimeSpan.FromHours(72);

    /// <summary>When the customer-service window closes, given the contact's last inbound message.</summary>
    public static DateTimeOffset? WindowEnd(DateTimeOffset? lastInboundAt, bool fromAd) =>
        lastInboundAt is { } at ? at + (fromAd ? AdWindow : ServiceWindow) : null;

    public static ConversationContext Build(ContactHistory history, Conversation conversation, Threading threading, ContactProfile contact,
        BusinessProfile business, DateTimeOffset now)
    {
        var clock = ContactClock.For(contact, business);
        var windowEnd = WindowEnd(history.LastInboundAt, conversation.WindowFromAd && conversation.LastInboundAt == history.LastInboundAt);
        return new ConversationContext(
            conversation.Id,
            conversation.State.Name(),
            threading.Opened,
            threading.Reason,
            Math.Max(0, history.Conversations - 1),
            history.LastOutcome,
            history.Inquiries,
            contact.Deal,
            history.ReplyPattern,
            history.LastOutboundAt,
            history.LastOutboundAt is { } last ? now - last : null,
            windowEnd is { } end && now < end,
            windowEnd,
            clock.TimeZone,
            clock.Source,
            clock.LocalAt(now).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }
}
