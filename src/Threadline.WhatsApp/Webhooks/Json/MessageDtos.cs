using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

// Message and status shapes (docs/whatsapp-cloud-api.md §3, §4). Every member is optional: what a payload lacks is
// decided by the mappers, never by the deserializer. Members are settable, not init-only: for init-only members the
// source generator builds each object through its parameterized-constructor path (an argument array per object, boxed
// values), which made these hot-path reads markedly slower.

/// <summary>A <c>messages[]</c> or <c>message_echoes[]</c> item; also the inner <c>edit.message</c> (which carries only content).</summary>
internal sealed class MessageDto
{
    public string? Id { get; set; }
    public string? From { get; set; }
    public string? FromUserId { get; set; }
    public string? To { get; set; }
    public string? ToUserId { get; set; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; set; }
    public string? Type { get; set; }
    public TextDto? Text { get; set; }
    public MediaDto? Image { get; set; }
    public MediaDto? Video { get; set; }
    public MediaDto? Audio { get; set; }
    public MediaDto? Document { get; set; }
    public MediaDto? Sticker { get; set; }
    public LocationDto? Location { get; set; }
    public List<SharedContactDto>? Contacts { get; set; }
    public InteractiveDto? Interactive { get; set; }
    public ButtonDto? Button { get; set; }
    public ReactionDto? Reaction { get; set; }
    public OrderDto? Order { get; set; }
    public SystemDto? System { get; set; }
    public List<ErrorDto>? Errors { get; set; }
    public ContextDto? Context { get; set; }
    public ReferralDto? Referral { get; set; }
    public EditDto? Edit { get; set; }
    public RevokeDto? Revoke { get; set; }
}

internal sealed class TextDto
{
    public string? Body { get; set; }
}

internal sealed class MediaDto
{
    public string? Id { get; set; }
    public string? MimeType { get; set; }
    [JsonPropertyName("sha256")]
    public string? Sha256 { get; set; }
    public string? Url { get; set; }
    public string? Caption { get; set; }
    public string? Filename { get; set; }
    public bool? Voice { get; set; }
    public bool? Animated { get; set; }
}

internal sealed class LocationDto
{
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? Name { get; set; }
    public string? Address { get; set; }
    public string? Url { get; set; }
}

internal sealed class SharedContactDto
{
    public SharedContactNameDto? Name { get; set; }
    public List<SharedContactPhoneDto>? Phones { get; set; }
    public List<SharedContactEmailDto>? Emails { get; set; }
}

internal sealed class SharedContactNameDto
{
    public string? FormattedName { get; set; }
}

internal sealed class SharedContactPhoneDto
{
    public string? Phone { get; set; }
    public string? WaId { get; set; }
}

internal sealed class SharedContactEmailDto
{
    public string? Email { get; set; }
}

/// <summary><c>interactive</c>: <c>type</c> names the inner object. Inner types the parser does not model are found in
/// <see cref="Other"/> by that name.</summary>
internal sealed class InteractiveDto
{
    public string? Type { get; set; }
    public ReplyDto? ButtonReply { get; set; }
    public ReplyDto? ListReply { get; set; }
    public NfmReplyDto? NfmReply { get; set; }
    public CallPermissionReplyDto? CallPermissionReply { get; set; }
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

internal sealed class ReplyDto
{
    public string? Id { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
}

internal sealed class NfmReplyDto
{
    public string? Name { get; set; }
    public string? Body { get; set; }
    public string? ResponseJson { get; set; }
}

internal sealed class CallPermissionReplyDto
{
    public string? Response { get; set; }
}

internal sealed class ButtonDto
{
    public string? Text { get; set; }
    public string? Payload { get; set; }
}

internal sealed class ReactionDto
{
    public string? MessageId { get; set; }
    public string? Emoji { get; set; }
}

internal sealed class OrderDto
{
    public string? CatalogId { get; set; }
    public string? Text { get; set; }
    public List<OrderItemDto>? ProductItems { get; set; }
}

internal sealed class OrderItemDto
{
    public string? ProductRetailerId { get; set; }
    public decimal? Quantity { get; set; }
    public decimal? ItemPrice { get; set; }
    public string? Currency { get; set; }
}

internal sealed class SystemDto
{
    public string? Body { get; set; }
    public string? Type { get; set; }
    public string? WaId { get; set; }
    public string? UserId { get; set; }
}

/// <summary>An <c>errors[]</c> item (messages, statuses, system-level).</summary>
internal sealed class ErrorDto
{
    public int? Code { get; set; }
    public string? Title { get; set; }
    public string? Message { get; set; }
    public ErrorDataDto? ErrorData { get; set; }
}

internal sealed class ErrorDataDto
{
    public string? Details { get; set; }
}

internal sealed class ContextDto
{
    public string? From { get; set; }
    public string? Id { get; set; }
    public bool? Forwarded { get; set; }
    public bool? FrequentlyForwarded { get; set; }
    public ReferredProductDto? ReferredProduct { get; set; }
}

internal sealed class ReferredProductDto
{
    public string? CatalogId { get; set; }
    public string? ProductRetailerId { get; set; }
}

internal sealed class ReferralDto
{
    public string? SourceUrl { get; set; }
    public string? SourceId { get; set; }
    public string? SourceType { get; set; }
    public string? Headline { get; set; }
    public string? Body { get; set; }
    public string? MediaType { get; set; }
    public string? CtwaClid { get; set; }
}

internal sealed class EditDto
{
    public string? OriginalMessageId { get; set; }
    public MessageDto? Message { get; set; }
}

internal sealed class RevokeDto
{
    public string? OriginalMessageId { get; set; }
}

/// <summary>A <c>statuses[]</c> item of the <c>messages</c> field.</summary>
internal sealed class StatusDto
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; set; }
    public string? RecipientId { get; set; }
    public string? RecipientUserId { get; set; }
    public string? BizOpaqueCallbackData { get; set; }
    public ConversationDto? Conversation { get; set; }
    public PricingDto? Pricing { get; set; }
    public List<ErrorDto>? Errors { get; set; }
}

internal sealed class ConversationDto
{
    public string? Id { get; set; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? ExpirationTimestamp { get; set; }
}

internal sealed class PricingDto
{
    public string? Category { get; set; }
}
