using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

// Message and status shapes (docs/whatsapp-cloud-api.md §3, §4). Every member is optional: what a payload lacks is
// decided by the mappers, never by the deserializer.

/// <summary>A <c>messages[]</c> or <c>message_echoes[]</c> item; also the inner <c>edit.message</c> (which carries only content).</summary>
internal sealed class MessageDto
{
    public string? Id { get; init; }
    public string? From { get; init; }
    public string? FromUserId { get; init; }
    public string? To { get; init; }
    public string? ToUserId { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; init; }
    public string? Type { get; init; }
    public TextDto? Text { get; init; }
    public MediaDto? Image { get; init; }
    public MediaDto? Video { get; init; }
    public MediaDto? Audio { get; init; }
    public MediaDto? Document { get; init; }
    public MediaDto? Sticker { get; init; }
    public LocationDto? Location { get; init; }
    public List<SharedContactDto>? Contacts { get; init; }
    public InteractiveDto? Interactive { get; init; }
    public ButtonDto? Button { get; init; }
    public ReactionDto? Reaction { get; init; }
    public OrderDto? Order { get; init; }
    public SystemDto? System { get; init; }
    public List<ErrorDto>? Errors { get; init; }
    public ContextDto? Context { get; init; }
    public ReferralDto? Referral { get; init; }
    public EditDto? Edit { get; init; }
    public RevokeDto? Revoke { get; init; }
}

internal sealed class TextDto
{
    public string? Body { get; init; }
}

internal sealed class MediaDto
{
    public string? Id { get; init; }
    public string? MimeType { get; init; }
    [JsonPropertyName("sha256")]
    public string? Sha256 { get; init; }
    public string? Url { get; init; }
    public string? Caption { get; init; }
    public string? Filename { get; init; }
    public bool? Voice { get; init; }
    public bool? Animated { get; init; }
}

internal sealed class LocationDto
{
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public string? Name { get; init; }
    public string? Address { get; init; }
    public string? Url { get; init; }
}

internal sealed class SharedContactDto
{
    public SharedContactNameDto? Name { get; init; }
    public List<SharedContactPhoneDto>? Phones { get; init; }
    public List<SharedContactEmailDto>? Emails { get; init; }
}

internal sealed class SharedContactNameDto
{
    public string? FormattedName { get; init; }
}

internal sealed class SharedContactPhoneDto
{
    public string? Phone { get; init; }
    public string? WaId { get; init; }
}

internal sealed class SharedContactEmailDto
{
    public string? Email { get; init; }
}

/// <summary><c>interactive</c>: <c>type</c> names the inner object. Inner types the parser does not model are found in
/// <see cref="Other"/> by that name.</summary>
internal sealed class InteractiveDto
{
    public string? Type { get; init; }
    public ReplyDto? ButtonReply { get; init; }
    public ReplyDto? ListReply { get; init; }
    public NfmReplyDto? NfmReply { get; init; }
    public CallPermissionReplyDto? CallPermissionReply { get; init; }
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; } // extension data cannot be init-only
}

internal sealed class ReplyDto
{
    public string? Id { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
}

internal sealed class NfmReplyDto
{
    public string? Name { get; init; }
    public string? Body { get; init; }
    public string? ResponseJson { get; init; }
}

internal sealed class CallPermissionReplyDto
{
    public string? Response { get; init; }
}

internal sealed class ButtonDto
{
    public string? Text { get; init; }
    public string? Payload { get; init; }
}

internal sealed class ReactionDto
{
    public string? MessageId { get; init; }
    public string? Emoji { get; init; }
}

internal sealed class OrderDto
{
    public string? CatalogId { get; init; }
    public string? Text { get; init; }
    public List<OrderItemDto>? ProductItems { get; init; }
}

internal sealed class OrderItemDto
{
    public string? ProductRetailerId { get; init; }
    public decimal? Quantity { get; init; }
    public decimal? ItemPrice { get; init; }
    public string? Currency { get; init; }
}

internal sealed class SystemDto
{
    public string? Body { get; init; }
    public string? Type { get; init; }
    public string? WaId { get; init; }
    public string? UserId { get; init; }
}

/// <summary>An <c>errors[]</c> item (messages, statuses, system-level).</summary>
internal sealed class ErrorDto
{
    public int? Code { get; init; }
    public string? Title { get; init; }
    public string? Message { get; init; }
    public ErrorDataDto? ErrorData { get; init; }
}

internal sealed class ErrorDataDto
{
    public string? Details { get; init; }
}

internal sealed class ContextDto
{
    public string? From { get; init; }
    public string? Id { get; init; }
    public bool? Forwarded { get; init; }
    public bool? FrequentlyForwarded { get; init; }
    public ReferredProductDto? ReferredProduct { get; init; }
}

internal sealed class ReferredProductDto
{
    public string? CatalogId { get; init; }
    public string? ProductRetailerId { get; init; }
}

internal sealed class ReferralDto
{
    public string? SourceUrl { get; init; }
    public string? SourceId { get; init; }
    public string? SourceType { get; init; }
    public string? Headline { get; init; }
    public string? Body { get; init; }
    public string? MediaType { get; init; }
    public string? CtwaClid { get; init; }
}

internal sealed class EditDto
{
    public string? OriginalMessageId { get; init; }
    public MessageDto? Message { get; init; }
}

internal sealed class RevokeDto
{
    public string? OriginalMessageId { get; init; }
}

/// <summary>A <c>statuses[]</c> item of the <c>messages</c> field.</summary>
internal sealed class StatusDto
{
    public string? Id { get; init; }
    public string? Status { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; init; }
    public string? RecipientId { get; init; }
    public string? RecipientUserId { get; init; }
    public string? BizOpaqueCallbackData { get; init; }
    public ConversationDto? Conversation { get; init; }
    public PricingDto? Pricing { get; init; }
    public List<ErrorDto>? Errors { get; init; }
}

internal sealed class ConversationDto
{
    public string? Id { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? ExpirationTimestamp { get; init; }
}

internal sealed class PricingDto
{
    public string? Category { get; init; }
}
