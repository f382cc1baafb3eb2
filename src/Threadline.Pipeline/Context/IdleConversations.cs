namespace Threadline.Pipeline.Context;

/// <summary>
/// When the contact's silence ends a conversation without a new message: a conversation that owes nothing (waiting on
/// the contact, no reply owed), with no follow-up still planned, and quiet for at least the business's conversation gap,
/// is over: the contact's next message would open a new one anyway. Closing it then, rather than at that next message
/// (which may never come), keeps the agents' loads ("open conversations") to conversations that are still going on.
/// A conversation that owes the contact a reply is never closed by silence: it stays open, and overdue, for a person.
/// </summary>
public static class IdleConversations
{
    /// <returns>Why the conversation is over at <paramref name="now"/>, or null while it is not.</returns>
    public static string? Ends(Conversation c, DateTimeOffset now, TimeSpan gap, bool followUpPending) =>
        c.State != ConversationState.WaitingOnThem || c.ReplyOwedSince is not null || followUpPending || now - c.LastMessageAt < gap
            ? null
            : $"quiet since {c.LastMessageAt:yyyy-MM-dd'T'HH:mm'Z'} (the gap is {gap.TotalDays:0.##} days), waiting on the contact, nothing owed, no follow-up planned";
}
