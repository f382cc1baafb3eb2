using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks.Json;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>
/// Turns a <c>messages[]</c> item (inbound) or a <c>message_echoes[]</c> item (outbound, sent from the WhatsApp Business
/// app) into a <see cref="WaMessage"/>. Content is mapped by <c>type</c>; types Threadline does not model keep their
/// name and live on in <see cref="WaMessage.RawJson"/>.
/// </summary>
internal static class MessageMapper
{
    /// <summary>
    /// The message, or null when it has no id or no usable timestamp. Such a message is not dropped: the caller keeps it as
    /// an <see cref="WebhookEventKinds.InvalidMessage"/> event. Inventing an id would break de-duplication, and inventing a
    /// time (receipt time, the epoch) would misplace it in the conversation and the 24-hour window.
    /// </summary>
    public static WaMessage? ToMessage(MessageDto dto, string rawJson, MessageDirection direction, ChangeContext ctx)
    {
        if (string.IsNullOrEmpty(dto.Id) || dto.Timestamp is not { } timestamp)
            return null;

        bool inbound = direction == MessageDirection.Inbound;
        string? waId = inbound ? dto.From : dto.To;
        string type = string.IsNullOrEmpty(dto.Type) ? "unknown" : dto.Type;

        var message = new WaMessage
        {
            WaMessageId = dto.Id,
            Direction = direction,
            SentBy = inbound ? SentBy.Contact : SentBy.Human,
            WaId = waId,
            UserId = (inbound ? dto.FromUserId : dto.ToUserId) ?? ctx.UserIdFor(waId),
            BusinessPhoneNumberId = ctx.PhoneNumberId,
            Timestamp = timestamp,
            Type = type,
            ReplyToMessageId = dto.Context?.Id,
            Forwarded = dto.Context?.Forwarded ?? false,
            FrequentlyForwarded = dto.Context?.FrequentlyForwarded ?? false,
            ReferredProductId = dto.Context?.ReferredProduct?.ProductRetailerId,
            Referral = ToReferral(dto.Referral),
            Errors = ToErrors(dto.Errors),
            RawJson = rawJson,
        };

        return type switch
        {
            // An edit carries the new content as an inner message; its id, time and sender are the outer message's.
            "edit" => WithContent(message, dto.Edit?.Message, dto.Edit?.Message?.Type) with
            {
                RefMessageId = dto.Edit?.OriginalMessageId,
                EditedType = dto.Edit?.Message?.Type,
            },
            "revoke" => message with { RefMessageId = dto.Revoke?.OriginalMessageId },
            _ => WithContent(message, dto, type),
        };
    }

    /// <summary>Fills what a person sees (text, media, location…) from <paramref name="content"/> of kind <paramref name="type"/>.</summary>
    private static WaMessage WithContent(WaMessage message, MessageDto? content, string? type)
    {
        if (content is null)
            return message;
        switch (type)
        {
            case "text":
                return message with { Text = content.Text?.Body };
            case "image" or "video" or "audio" or "document" or "sticker":
                MediaDto? media = MediaOf(content, type);
                return message with { Media = ToMedia(media), Text = media?.Caption };
            case "location":
                LocationDto? loc = content.Location;
                return message with
                {
                    Location = loc is { Latitude: { } lat, Longitude: { } lon } ? new LocationInfo(lat, lon, loc.Name, loc.Address, loc.Url) : null,
                    Text = JoinNonEmpty(", ", loc?.Name, loc?.Address),
                };
            case "contacts":
                List<SharedContact> cards = (content.Contacts ?? []).OfType<SharedContactDto>().Select(ToSharedContact).ToList();
                return message with { SharedContacts = cards, Text = JoinNonEmpty(", ", cards.Select(c => c.FormattedName).ToArray()) };
            case "interactive":
                InteractiveReply? reply = ToInteractive(content.Interactive);
                return message with { Interactive = reply, Text = reply?.Kind is "call_permission_reply" ? null : reply?.Title };
            case "button":
                // A quick-reply tap on a template button: context.id (already mapped) names the template message.
                return content.Button is { } b
                    ? message with { Interactive = new InteractiveReply("button", null, b.Text, null, b.Payload), Text = b.Text }
                    : message;
            case "reaction":
                // An empty or absent emoji is the removal of an earlier reaction: Text stays null.
                return message with
                {
                    RefMessageId = content.Reaction?.MessageId,
                    Text = string.IsNullOrEmpty(content.Reaction?.Emoji) ? null : content.Reaction.Emoji,
                };
            case "order":
                return content.Order is { } o
                    ? message with { Order = ToOrder(o), Text = string.IsNullOrEmpty(o.Text) ? null : o.Text }
                    : message;
            case "system":
                return content.System is { } s
                    ? message with { System = new SystemChange(s.Type ?? "unknown", s.Body, s.WaId, s.UserId), Text = s.Body }
                    : message;
            default:
                // unsupported/unknown (errors already mapped) and types Threadline does not know: RawJson keeps it all.
                return message;
        }
    }

    private static MediaDto? MediaOf(MessageDto m, string type) => type switch
    {
        "image" => m.Image,
        "video" => m.Video,
        "audio" => m.Audio,
        "document" => m.Document,
        _ => m.Sticker,
    };

    private static MediaInfo? ToMedia(MediaDto? m) =>
        m is null ? null : new MediaInfo(m.Id, m.MimeType, m.Sha256, m.Url, m.Filename, m.Voice, m.Animated);

    private static SharedContact ToSharedContact(SharedContactDto c) => new(
        c.Name?.FormattedName,
        (c.Phones ?? []).OfType<SharedContactPhoneDto>().Select(p => p.Phone).OfType<string>().ToList(),
        (c.Phones ?? []).OfType<SharedContactPhoneDto>().Select(p => p.WaId).OfType<string>().ToList(),
        (c.Emails ?? []).OfType<SharedContactEmailDto>().Select(e => e.Email).OfType<string>().ToList());

    /// <summary>
    /// Replies to buttons, lists, flows (<c>nfm_reply</c>: Title = body, Payload = the flow's <c>response_json</c>) and
    /// call-permission requests (Payload = accept/reject). A newer inner type keeps its name as Kind and its object's raw
    /// JSON as Payload. An <c>interactive</c> message without the object (WhatsApp then reports an error) has no reply.
    /// </summary>
    private static InteractiveReply? ToInteractive(InteractiveDto? i)
    {
        if (i is null)
            return null;
        string kind = string.IsNullOrEmpty(i.Type) ? "unknown" : i.Type;
        return kind switch
        {
            "button_reply" => new InteractiveReply(kind, i.ButtonReply?.Id, i.ButtonReply?.Title, i.ButtonReply?.Description, null),
            "list_reply" => new InteractiveReply(kind, i.ListReply?.Id, i.ListReply?.Title, i.ListReply?.Description, null),
            "nfm_reply" => new InteractiveReply(kind, null, i.NfmReply?.Body, null, i.NfmReply?.ResponseJson),
            "call_permission_reply" => new InteractiveReply(kind, null, null, null, i.CallPermissionReply?.Response),
            _ => new InteractiveReply(kind, null, null, null,
                i.Other is not null && i.Other.TryGetValue(kind, out var inner) ? inner.GetRawText() : null),
        };
    }

    /// <summary>An item without a retailer id, quantity or price keeps its place with "" / 0 so the order's items stay complete;
    /// the exact values are in RawJson.</summary>
    private static OrderInfo ToOrder(OrderDto o) => new(
        o.CatalogId,
        string.IsNullOrEmpty(o.Text) ? null : o.Text,
        (o.ProductItems ?? []).OfType<OrderItemDto>().Select(p => new OrderItem(p.ProductRetailerId ?? "", p.Quantity ?? 0m, p.ItemPrice ?? 0m, p.Currency)).ToList());

    private static AdReferral? ToReferral(ReferralDto? r) =>
        r is null ? null : new AdReferral(r.SourceUrl, r.SourceId, r.SourceType, r.Headline, r.Body, r.MediaType, r.CtwaClid);

    /// <summary>WhatsApp error objects (null items skipped); a missing code reads as 0, the original stays in RawJson.</summary>
    public static IReadOnlyList<WaError> ToErrors(List<ErrorDto>? errors) =>
        errors is null ? [] : errors.OfType<ErrorDto>().Select(e => new WaError(e.Code ?? 0, e.Title, e.Message, e.ErrorData?.Details)).ToList();

    private static string? JoinNonEmpty(string separator, params string?[] parts)
    {
        string joined = string.Join(separator, parts.Where(p => !string.IsNullOrEmpty(p)));
        return joined.Length == 0 ? null : joined;
    }
}
