namespace Threadline.WhatsApp.Sending;

/// <summary>
/// One reply button. The <paramref name="Id"/> comes back in the customer's <c>button_reply</c>, so it is what the
/// routing stage matches on; the <paramref name="Title"/> is only what the customer sees (≤ 20 characters).
/// </summary>
public sealed record OutboundButton(string Id, string Title);
