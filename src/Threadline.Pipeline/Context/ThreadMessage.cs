namespace Threadline.Pipeline.Context;

/// <summary>Who wrote a message of a conversation.</summary>
public enum Party { Contact, Agent, Automation }

/// <summary>
/// One message as the context and routing stages see it: who, when, what kind, what text. Built from a captured
/// WhatsApp message, an imported chat line or a scenario file, so the stages never see transport details.
/// </summary>
/// <param name="Id">The WhatsApp message id (wamid), or a synthetic id for imported history and scenarios.</param>
/// <param name="Type">The Cloud API type: <c>text</c>, <c>reaction</c>, <c>image</c>, <c>edit</c>, <c>revoke</c> …</param>
/// <param name="Text">The text, a caption, a button title: whatever words the message carries; null when none.</param>
/// <param name="QuotedId">The message this one replies to (the webhook's <c>context.id</c>).</param>
/// <param name="FromAd">True when the message came from a click-to-WhatsApp ad: it opens a 72-hour window.</param>
public sealed record ThreadMessage(
    string Id, DateTimeOffset At, Party From, string Type, string? Text, string? AgentId = null, string? QuotedId = null, bool FromAd = false)
{
    public bool IsInbound => From == Party.Contact;
}
