namespace Threadline.Pipeline.Sending;

/// <summary>Why a message is about to go out: a person's reply, an automatic answer, or a follow-up.</summary>
public enum SendCause { AgentReply, AutomaticAnswer, FollowUp }

/// <summary>What the send gate reads about one queued message and its recipient, just before the call.</summary>
/// <param name="NeedsOpenWindow">Free-form content (text, interactive, reaction): only inside the customer-service window.</param>
/// <param name="HasFallbackTemplate">A template is at hand to send instead when the window has closed.</param>
/// <param name="WindowEnd">When the contact's 24-hour (72-hour from an ad) window closes; null when they never wrote.</param>
public sealed record SendCheck(
    SendCause Cause, bool NeedsOpenWindow, bool HasFallbackTemplate, bool OptedOut, bool Undeliverable, string? UndeliverableReason,
    DateTimeOffset? WindowEnd, bool HasRecipient, DateTimeOffset Now);

/// <summary>The gate's verdict.</summary>
public enum SendVerdict { Send, SendTemplateInstead, Cancel, Fail, FlagForHuman }

public sealed record SendGateResult(SendVerdict Verdict, string Reason);

/// <summary>
/// The last look before a message leaves: a recipient WhatsApp said is unreachable gets nothing; an opted-out contact
/// gets no automatic message or follow-up (a person may still answer them); free text after the window closed becomes the
/// template meant for that case, or, without one, is not sent and a person is asked to step in. Cheaper and kinder than
/// learning it from a failed call (131047 costs a round trip; a follow-up after STOP costs trust).
/// </summary>
public static class SendGate
{
    public static SendGateResult Check(SendCheck c)
    {
        if (!c.HasRecipient)
            return new(SendVerdict.Fail, "the contact has no WhatsApp number to send to");
        if (c.Undeliverable)
            return new(SendVerdict.Fail, $"WhatsApp said this number cannot receive messages ({c.UndeliverableReason ?? "undeliverable"}): not sent");
        if (c.OptedOut && c.Cause != SendCause.AgentReply)
            return new(SendVerdict.Cancel, c.Cause == SendCause.FollowUp
                ? "the contact opted out: no follow-ups"
                : "the contact opted out: no automatic messages");
        if (!c.NeedsOpenWindow)
            return new(SendVerdict.Send, "a template may be sent at any time");
        if (c.WindowEnd is { } end && c.Now < end)
            return new(SendVerdict.Send, $"inside the customer-service window (open until {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC)");
        string closed = c.WindowEnd is { } e ? $"the customer-service window closed at {e.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "the contact has never written to us";
        return c.HasFallbackTemplate
            ? new(SendVerdict.SendTemplateInstead, $"{closed}: the approved template is sent instead of free text")
            : new(SendVerdict.FlagForHuman, $"{closed} and no approved template is configured for it: not sent; a person must take over");
    }
}
