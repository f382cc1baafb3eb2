namespace Threadline.Pipeline.Capture;

/// <summary>
/// Everything one webhook body said, normalised into Threadline's terms. Produced by the WhatsApp contract
/// (<c>Threadline.WhatsApp</c>), consumed by <see cref="CaptureStage"/>. Nothing a body carried is dropped:
/// what Threadline does not understand is kept as a <see cref="BusinessEvent"/> or in a record's <c>RawJson</c>.
/// </summary>
public sealed record WebhookBatch(
    IReadOnlyList<WhatsAppUser> Users,
    IReadOnlyList<WaMessage> Messages,
    IReadOnlyList<StatusUpdate> Statuses,
    IReadOnlyList<PreferenceUpdate> Preferences,
    IReadOnlyList<BusinessEvent> Events)
{
    public static readonly WebhookBatch Empty = new([], [], [], [], []);
}

/// <summary>A WhatsApp user as a webhook's <c>contacts[]</c> names them. Since 2026 <see cref="WaId"/> may be absent
/// (users with a username); <see cref="UserId"/> (the business-scoped user id, BSUID) is then the identity.</summary>
public sealed record WhatsAppUser(string? WaId, string? UserId, string? ParentUserId, string? Username, string? ProfileName);

/// <summary>Who wrote a message.</summary>
public enum MessageDirection { Inbound, Outbound }

/// <summary>Who sent a message: the contact, a person at the business (WhatsApp Business app echo, agent) or automation.</summary>
public enum SentBy { Contact, Human, Automation }

/// <summary>An error object as the Cloud API sends it in <c>errors[]</c>.</summary>
public sealed record WaError(int Code, string? Title, string? Message, string? Details);

/// <summary>A media attachment (image, video, audio, document, sticker).</summary>
public sealed record MediaInfo(string? Id, string? MimeType, string? Sha256, string? Url, string? Filename, bool? Voice, bool? Animated);

public sealed record LocationInfo(double Latitude, double Longitude, string? Name, string? Address, string? Url);

/// <summary>A tap on a reply button, list row, template quick-reply, or a flow/other interactive reply.
/// <see cref="Kind"/> is WhatsApp's inner type (<c>button_reply</c>, <c>list_reply</c>, <c>nfm_reply</c>, <c>button</c>, …).</summary>
public sealed record InteractiveReply(string Kind, string? Id, string? Title, string? Description, string? Payload);

public sealed record OrderItem(string ProductRetailerId, decimal Quantity, decimal ItemPrice, string? Currency);

public sealed record OrderInfo(string? CatalogId, string? Text, IReadOnlyList<OrderItem> Items);

/// <summary>A contact card shared in a message.</summary>
public sealed record SharedContact(string? FormattedName, IReadOnlyList<string> Phones, IReadOnlyList<string> WaIds, IReadOnlyList<string> Emails);

/// <summary>A system message: <c>user_changed_number</c>/<c>customer_changed_number</c>, <c>user_changed_user_id</c>,
/// <c>customer_identity_changed</c>. <see cref="NewWaId"/>/<see cref="NewUserId"/> are the identity the user moved to.</summary>
public sealed record SystemChange(string Kind, string? Body, string? NewWaId, string? NewUserId);

/// <summary>A click-to-WhatsApp ad or post the conversation started from.</summary>
public sealed record AdReferral(string? SourceUrl, string? SourceId, string? SourceType, string? Headline, string? Body, string? MediaType, string? CtwaClid);

/// <summary>
/// One message, inbound from a contact or outbound (an <c>smb_message_echoes</c> echo of a reply a person sent from the
/// WhatsApp Business app). Edits (<c>type: edit</c>) and deletions (<c>type: revoke</c>) are messages of their own whose
/// <see cref="RefMessageId"/> names the message they change; so is a reaction (the message reacted to).
/// </summary>
public sealed record WaMessage
{
    public required string WaMessageId { get; init; }
    public required MessageDirection Direction { get; init; }
    public required SentBy SentBy { get; init; }
    /// <summary>The customer's wa_id (digits with country code): <c>from</c> of an inbound message, <c>to</c> of an echo. May be absent since 2026.</summary>
    public string? WaId { get; init; }
    /// <summary>The customer's business-scoped user id (<c>from_user_id</c>, <c>to_user_id</c> or the matching <c>contacts[].user_id</c>).</summary>
    public string? UserId { get; init; }
    /// <summary>The business number's <c>metadata.phone_number_id</c>.</summary>
    public string? BusinessPhoneNumberId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>WhatsApp's <c>type</c>, as sent (unknown types keep their name; a missing type is <c>unknown</c>).</summary>
    public required string Type { get; init; }
    /// <summary>What a person reads: text body, caption, button/list title, reaction emoji, location name, system body…</summary>
    public string? Text { get; init; }
    /// <summary><c>context.id</c>: the message this one replies to.</summary>
    public string? ReplyToMessageId { get; init; }
    public bool Forwarded { get; init; }
    public bool FrequentlyForwarded { get; init; }
    /// <summary>The message an edit, revoke or reaction refers to.</summary>
    public string? RefMessageId { get; init; }
    /// <summary>For an edit: the type of the edited content (e.g. <c>text</c>, <c>image</c>).</summary>
    public string? EditedType { get; init; }
    public MediaInfo? Media { get; init; }
    public LocationInfo? Location { get; init; }
    public InteractiveReply? Interactive { get; init; }
    public OrderInfo? Order { get; init; }
    public IReadOnlyList<SharedContact> SharedContacts { get; init; } = [];
    public SystemChange? System { get; init; }
    public AdReferral? Referral { get; init; }
    public string? ReferredProductId { get; init; }
    public IReadOnlyList<WaError> Errors { get; init; } = [];
    /// <summary>The message object exactly as it arrived (JSON), so nothing Threadline does not model is lost.</summary>
    public required string RawJson { get; init; }
}

/// <summary>A delivery status for a message we sent (<c>sent</c>, <c>delivered</c>, <c>read</c>, <c>played</c>, <c>failed</c>, or one WhatsApp adds later).</summary>
public sealed record StatusUpdate
{
    public required string WaMessageId { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public string? RecipientId { get; init; }
    public string? RecipientUserId { get; init; }
    public string? BizOpaqueCallbackData { get; init; }
    public string? ConversationId { get; init; }
    public DateTimeOffset? ConversationExpiresAt { get; init; }
    public string? PricingCategory { get; init; }
    public IReadOnlyList<WaError> Errors { get; init; } = [];
    public required string RawJson { get; init; }
}

/// <summary>A <c>user_preferences</c> change: e.g. category <c>marketing_messages</c>, value <c>stop</c>/<c>resume</c>.</summary>
public sealed record PreferenceUpdate(string? WaId, string? UserId, string Category, string Value, DateTimeOffset Timestamp, string? Detail, string RawJson);

/// <summary>
/// Anything kept as an event rather than a message: template status/quality/category/components updates, account
/// updates, calls, system-level <c>errors[]</c>, and any field, object or shape Threadline does not know (<see cref="Kind"/>
/// then says so). <see cref="RawJson"/> is the value as received.
/// </summary>
public sealed record BusinessEvent(string Field, string Kind, string? WabaId, DateTimeOffset? OccurredAt, string RawJson);
