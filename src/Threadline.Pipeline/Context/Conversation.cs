namespace Threadline.Pipeline.Context;

/// <summary>Where a conversation stands.</summary>
public enum ConversationState { WaitingOnUs, WaitingOnThem, Snoozed, Closed }

public static class ConversationStates
{
    public static string Name(this ConversationState state) => state switch
    {
        ConversationState.WaitingOnUs => "waiting_on_us",
        ConversationState.WaitingOnThem => "waiting_on_them",
        ConversationState.Snoozed => "snoozed",
        _ => "closed",
    };

    public static ConversationState Parse(string name) => name switch
    {
        "waiting_on_us" => ConversationState.WaitingOnUs,
        "waiting_on_them" => ConversationState.WaitingOnThem,
        "snoozed" => ConversationState.Snoozed,
        "closed" => ConversationState.Closed,
        _ => throw new ArgumentException($"unknown conversation state '{name}'", nameof(name)),
    };
}

/// <summary>
/// A conversation as the stages carry it from message to message: one row in the store, one value here.
/// <see cref="PendingSince"/> and the pending fields describe the contact's messages since our last one: what a reply
/// must answer, and since when it is owed (the SLA clock does not restart when the contact writes again).
/// </summary>
/// <param name="Id">Store id; negative for a conversation opened in this batch and not yet written.</param>
/// <param name="Outcome">How it ended, once it has (see <see cref="Outcomes"/>); null while it runs.</param>
/// <param name="LastOutboundText">Our last message's text (at most 1,000 characters): what the contact's silence answers.</param>
public sealed record Conversation(
    long Id,
    long ContactId,
    ConversationState State,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastMessageAt,
    DateTimeOffset? LastInboundAt,
    DateTimeOffset? LastOutboundAt,
    Party LastFrom,
    string? LastIntent,
    int MessageCount,
    DateTimeOffset? PendingSince,
    DateTimeOffset? ReplyOwedSince,
    IReadOnlyList<string> PendingIntents,
    IReadOnlyList<string> PendingCues,
    string? Language,
    bool WindowFromAd,
    DateTimeOffset? SnoozedUntil,
    DateTimeOffset? ClosedAt,
    string? Assignee,
    string? Outcome,
    string? LastOutboundText = null)
{
    public static Conversation Open(long id, long contactId, DateTimeOffset at) => new(
        id, contactId, ConversationState.WaitingOnUs, at, at, null, null, Party.Contact, null, 0, null, null, [], [], null, false, null, null, null, null);
}

/// <summary>How a conversation ended, as "prior conversations" report it.</summary>
public static class Outcomes
{
    public const string Answered = "answered";           // our message was the last word
    public const string Acknowledged = "acknowledged";   // the contact said thanks/ok last
    public const string ClosedByContact = "closed_by_contact"; // the contact said goodbye
    public const string OptedOut = "opted_out";
    public const string Unanswered = "unanswered";       // the contact wrote last and was owed a reply
    public const string Closed = "closed";               // a person closed it

    /// <summary>The outcome of a conversation that ends now (a new one starts, or a person closes it).</summary>
    public static string Of(Conversation c) => c.State == ConversationState.Closed && c.Outcome is { } o ? o
        : c.LastFrom != Party.Contact ? Answered
        : c.LastIntent switch
        {
            "acknowledgement" => Acknowledged,
            "closing" => ClosedByContact,
            "opt_out" => OptedOut,
            _ => c.ReplyOwedSince is null ? Acknowledged : Unanswered,
        };
}
