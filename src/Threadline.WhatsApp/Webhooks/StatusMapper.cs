using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks.Json;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>Turns a <c>statuses[]</c> item of the <c>messages</c> field into a <see cref="StatusUpdate"/>. Every status
/// value is kept as sent (<c>played</c> and future ones included); the outbox decides what it means.</summary>
internal static class StatusMapper
{
    /// <summary>The status, or null when it has no message id, status or usable timestamp (the caller keeps it as an
    /// <see cref="WebhookEventKinds.InvalidStatus"/> event: without them it cannot be applied to any message).</summary>
    public static StatusUpdate? ToStatus(StatusDto dto, string rawJson)
    {
        if (string.IsNullOrEmpty(dto.Id) || string.IsNullOrEmpty(dto.Status) || dto.Timestamp is not { } timestamp)
            return null;
        return new StatusUpdate
        {
            WaMessageId = dto.Id,
            Status = dto.Status,
            Timestamp = timestamp,
            RecipientId = dto.RecipientId,
            RecipientUserId = dto.RecipientUserId,
            BizOpaqueCallbackData = dto.BizOpaqueCallbackData,
            ConversationId = dto.Conversation?.Id,
            ConversationExpiresAt = dto.Conversation?.ExpirationTimestamp,
            PricingCategory = dto.Pricing?.Category,
            Errors = MessageMapper.ToErrors(dto.Errors),
            RawJson = rawJson,
        };
    }
}
