using Threadline.Pipeline.Routing;

namespace Threadline.Pipeline.Context;

/// <summary>Whether a message joined a conversation or opened one, and why.</summary>
public sealed record Threading(bool Opened, string Reason);

/// <summary>What context decided for one message.</summary>
/// <param name="Conversation">The conversation the message is in, after it.</param>
/// <param name="Ended">The conversation this message made end (a new one opened after it), with its outcome; null when none did.</param>
public sealed record ContextStep(ContactHistory History, Conversation Conversation, Threading Threading, Conversation? Ended);

/// <summary>
/// Step 3, threads: puts each message into a conversation and carries the contact's history forward. Pure: state and
/// message in, new state out. The runner keeps the state per contact across a batch, and the store keeps it across
/// batches, so the same fold rebuilds context from live traffic, imported chats and scenario files alike.
/// </summary>
public static class ContextStage
{
    /// <param name="current">The contact's latest conversation, if any.</param>
    /// <param name="quoted">The conversation of the message this one quotes (possibly <paramref name="current"/> itself): a reply always joins it, reopening it when closed.</param>
    /// <param name="understanding">How the rules read an inbound message; null for our own messages.</param>
    /// <param name="newId">Gives the id of a conversation this message opens.</param>
    public static ContextStep Apply(ContactHistory history, Conversation? current, Conversation? quoted, ThreadMessage message,
        Understanding? understanding, TimeSpan gap, Func<long> newId)
    {
        var (conversation, threading, ended) = Thread(current, quoted, message, gap, newId);
        if (threading.Opened)
            history = history with { Conversations = history.Conversations + 1, LastOutcome = ended is null ? history.LastOutcome : ended.Outcome };
        return message.IsInbound
            ? Inbound(history, conversation, message, understanding ?? throw new ArgumentNullException(nameof(understanding)), threading, ended)
            : Outbound(history, conversation, message, threading, ended);
    }

    private static (Conversation, Threading, Conversation?) Thread(Conversation? current, Conversation? quoted, ThreadMessage m, TimeSpan gap, Func<long> newId)
    {
        if (quoted is not null)
            // Reopened: what was owed before it was closed was settled by closing it; this message starts afresh.
            return (quoted.State == ConversationState.Closed
                    ? quoted with { State = ConversationState.WaitingOnThem, ClosedAt = null, Outcome = null, PendingSince = null, ReplyOwedSince = null, PendingIntents = [], PendingCues = [] }
                    : quoted,
                new Threading(false, "replies to a message of this conversation"), null);
        if (current is null)
            return (Conversation.Open(newId(), 0, m.At), new Threading(true, "first conversation with this contact"), null);
        // Delivered late: written before the last message of a conversation that has been closed since, it belongs there
        // (counted, not reopening it). Opening a conversation for it would leave one older than the closed one, which
        // nothing would ever close.
        if (current.State == ConversationState.Closed && current.MessageCount > 0 && m.At < current.LastMessageAt)
            return (current, new Threading(false, "written before the last message of the closed conversation (delivered late)"), null);
        if (current.State == ConversationState.Closed)
            return (Conversation.Open(newId(), current.ContactId, m.At),
                new Threading(true, "the previous conversation was closed"), current with { Outcome = Outcomes.Of(current) });
        var idle = m.At - current.LastMessageAt;
        if (idle > gap)
            return (Conversation.Open(newId(), current.ContactId, m.At),
                new Threading(true, $"{Describe(idle)} since the last message, more than the {Describe(gap)} gap"),
                // It ended: closed, so that it no longer counts as open (an agent's load) or waits for anyone.
                current with { State = ConversationState.Closed, ClosedAt = m.At, Outcome = Outcomes.Of(current) });
        return (current, new Threading(false, "continues the open conversation"), null);
    }

    private static ContextStep Inbound(ContactHistory h, Conversation c, ThreadMessage m, Understanding u, Threading threading, Conversation? ended)
    {
        var inquiries = ContactHistory.NotInquiries.Contains(u.Intent) ? h.Inquiries
            : h.Inquiries.Append(new Inquiry(u.Intent, m.At)).TakeLast(ContactHistory.MaxInquiries).ToList();
        var delays = h.ReplyDelays;
        var awaiting = h.AwaitingReplySince;
        // Only a message written after ours answers it; one written before (delivered late) leaves us waiting.
        if (awaiting is { } since && m.At >= since)
        {
            if (m.At - since <= ContactHistory.LongestReply)
                delays = delays.Append((long)(m.At - since).TotalSeconds).TakeLast(ContactHistory.MaxSamples).ToList();
            awaiting = null;
        }
        h = h with
        {
            Inquiries = inquiries,
            ReplyDelays = delays,
            AwaitingReplySince = awaiting,
            LastInboundAt = Max(h.LastInboundAt, m.At),
            Language = u.LanguageSource == "words" ? u.Language : h.Language,
        };

        // A message older than the conversation's last one (WhatsApp delivers out of order) is counted, not replayed over newer state.
        if (c.MessageCount > 0 && m.At < c.LastMessageAt)
            return new ContextStep(h, c with { MessageCount = c.MessageCount + 1, LastInboundAt = Max(c.LastInboundAt, m.At) }, threading, ended);

        bool continuing = c.LastFrom == Party.Contact && c.PendingSince is not null;
        // An opt-out ends what was asked; a goodbye does not ("Could you send the invoice? … Thanks, have a nice day!").
        bool ends = u.Intent is "opt_out";
        var owed = ends ? null : continuing ? c.ReplyOwedSince ?? (u.NeedsReply ? m.At : null) : u.NeedsReply ? m.At : null;
        c = c with
        {
            ContactId = h.ContactId,
            LastMessageAt = m.At,
            LastInboundAt = m.At,
            LastFrom = Party.Contact,
            LastIntent = u.Intent,
            MessageCount = c.MessageCount + 1,
            PendingSince = continuing ? c.PendingSince : m.At,
            ReplyOwedSince = owed,
            PendingIntents = (continuing ? c.PendingIntents : []).Append(u.Intent).Distinct().ToList(),
            PendingCues = (continuing ? c.PendingCues : []).Concat(u.UrgencyCues).Distinct().ToList(),
            Language = u.Language,
            WindowFromAd = m.FromAd,
            // A message from the contact wakes a snoozed conversation.
            State = owed is not null ? ConversationState.WaitingOnUs : ConversationState.WaitingOnThem,
            SnoozedUntil = null,
        };
        return new ContextStep(h, c, threading, ended);
    }

    private static ContextStep Outbound(ContactHistory h, Conversation c, ThreadMessage m, Threading threading, Conversation? ended)
    {
        h = h with { LastOutboundAt = Max(h.LastOutboundAt, m.At), AwaitingReplySince = Max(h.AwaitingReplySince, m.At) };
        if (c.MessageCount > 0 && m.At < c.LastMessageAt)
            return new ContextStep(h, c with { MessageCount = c.MessageCount + 1, LastOutboundAt = Max(c.LastOutboundAt, m.At) }, threading, ended);
        c = c with
        {
            ContactId = h.ContactId,
            LastMessageAt = m.At,
            LastOutboundAt = m.At,
            LastFrom = m.From,
            MessageCount = c.MessageCount + 1,
            PendingSince = null,
            ReplyOwedSince = null,
            PendingIntents = [],
            PendingCues = [],
            State = c.State == ConversationState.Snoozed ? ConversationState.Snoozed : ConversationState.WaitingOnThem,
            Assignee = c.Assignee ?? (m.From == Party.Agent ? m.AgentId : null),
            LastOutboundText = m.Text is { Length: > 1000 } long_ ? long_[..1000] : m.Text,
        };
        return new ContextStep(h, c, threading, ended);
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    public static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? FormattableString.Invariant($"{span.TotalDays:0.#} days")
        : span.TotalHours >= 1 ? FormattableString.Invariant($"{span.TotalHours:0.#} h")
        : FormattableString.Invariant($"{span.TotalMinutes:0} min");
}
