namespace Threadline.WhatsApp.Sending;

/// <summary>
/// One choice in a list message. The <paramref name="Id"/> comes back in the customer's <c>list_reply</c>; the title
/// (≤ 24 characters) and optional description are only shown.
/// </summary>
public sealed record OutboundRow(string Id, string Title, string? Description = null);
