namespace Threadline.WhatsApp.Sending;

/// <summary>
/// What one send request came to. Accepted means WhatsApp took the message, not that it was delivered: delivery
/// arrives later as status webhooks, keyed by <paramref name="MessageId"/>, which is why the sender stores it.
/// </summary>
/// <param name="IsAccepted">True when WhatsApp took the request; then <paramref name="Error"/> is null.</param>
/// <param name="MessageId">The wamid of the new message; null for a read receipt, which creates no message.</param>
/// <param name="WaId">The recipient's WhatsApp id as WhatsApp resolved the number, when it says so.</param>
/// <param name="MessageStatus"><c>accepted</c>, or <c>held_for_quality_assessment</c> for a template WhatsApp is
/// still reviewing (it may yet fail); null when not given.</param>
/// <param name="Error">Why the request was refused; null when accepted.</param>
public sealed record GraphSendResult(bool IsAccepted, string? MessageId, string? WaId, string? MessageStatus, GraphError? Error)
{
    public static GraphSendResult Accepted(string? messageId, string? waId, string? messageStatus) =>
        new(true, messageId, waId, messageStatus, null);

    public static GraphSendResult Failed(GraphError error) =>
        new(false, null, null, null, error ?? throw new ArgumentNullException(nameof(error)));
}
