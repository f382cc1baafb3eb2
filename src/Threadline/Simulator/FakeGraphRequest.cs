namespace Threadline.Simulator;

/// <summary>One request <see cref="FakeGraphApi"/> accepted (answered with success).</summary>
/// <param name="ReceivedAt">When the request arrived.</param>
/// <param name="Version">Graph version from the path, e.g. <c>v23.0</c>.</param>
/// <param name="PhoneNumberId">Sending number's id from the path.</param>
/// <param name="To">Recipient phone (<c>to</c>), if given.</param>
/// <param name="Recipient">Recipient BSUID (<c>recipient</c>), if given.</param>
/// <param name="Type">Message type (<c>text</c>, <c>template</c>, …); null for mark-as-read.</param>
/// <param name="MessageId">The wamid answered for a send, or the <c>message_id</c> marked as read.</param>
/// <param name="IsMarkAsRead">True for <c>{"status":"read"}</c> requests.</param>
/// <param name="Body">The raw JSON body.</param>
public sealed record FakeGraphRequest(
    DateTimeOffset ReceivedAt,
    string Version,
    string PhoneNumberId,
    string? To,
    string? Recipient,
    string? Type,
    string? MessageId,
    bool IsMarkAsRead,
    string Body);
