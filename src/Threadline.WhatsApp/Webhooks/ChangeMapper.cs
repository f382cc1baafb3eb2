using System.Text.Json;
using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks.Json;
using static Threadline.WhatsApp.Webhooks.Json.JsonRead;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>
/// Maps one <c>changes[]</c> value by its <c>field</c>. The contact-facing fields (<c>messages</c>,
/// <c>smb_message_echoes</c>, <c>user_preferences</c>, <c>calls</c>) become users, messages, statuses, preferences and
/// call events; every other field, known (account and template updates) or not, becomes one
/// <see cref="BusinessEvent"/> holding the value as received. Within a value each item is read on its own, so one
/// malformed item becomes an event and the rest still map.
/// </summary>
internal static class ChangeMapper
{
    private static WebhookJsonContext Ctx => WebhookJsonContext.Default;

    private static readonly HashSet<string> ContactFields = ["messages", "smb_message_echoes", "user_preferences", "calls"];

    public static void Map(string field, JsonElement value, string? wabaId, DateTimeOffset? entryTime, BatchBuilder batch)
    {
        if (ContactFields.Contains(field))
            MapContactField(field, value, wabaId, entryTime, batch);
        else
            batch.AddEvent(field, EventKind(field, value), wabaId, entryTime, Raw(value));
    }

    /// <summary>Kind of an otherwise raw event: the value's <c>event</c> lowercased (ACCOUNT_DELETED → account_deleted,
    /// APPROVED → approved), else the field name.</summary>
    private static string EventKind(string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
        && LastMember(value, "event"u8) is { ValueKind: JsonValueKind.String } ev
        && ev.GetString() is { Length: > 0 } name
            ? name.ToLowerInvariant()
            : field;

    private static void MapContactField(string field, JsonElement value, string? wabaId, DateTimeOffset? entryTime, BatchBuilder batch)
    {
        if (value.ValueKind != JsonValueKind.Object || !ContactFieldValue.TryRead(value, out var dto))
        {
            batch.AddEvent(field, WebhookEventKinds.InvalidValue, wabaId, entryTime, Raw(value));
            return;
        }

        var contacts = new List<WhatsAppUser>();
        foreach (JsonElement item in Items(dto.Contacts))
        {
            if (TryRead(item, Ctx.ContactDto, out var c))
            {
                var user = new WhatsAppUser(c.WaId, c.UserId, c.ParentUserId, c.Profile?.Username, c.Profile?.Name);
                contacts.Add(user);
                batch.AddUser(user);
            }
            else
                batch.AddEvent(field, WebhookEventKinds.InvalidContact, wabaId, entryTime, Raw(item));
        }

        var ctx = new ChangeContext(field, wabaId, entryTime, dto.Metadata?.PhoneNumberId, contacts);

        foreach (JsonElement item in Items(dto.Messages))
            MapMessage(item, MessageDirection.Inbound, ctx, batch);
        foreach (JsonElement item in Items(dto.MessageEchoes))
            MapMessage(item, MessageDirection.Outbound, ctx, batch);

        foreach (JsonElement item in Items(dto.Statuses))
        {
            if (field == "calls")
                AddItemEvent(item, WebhookEventKinds.CallStatus, ctx, batch);
            else if (TryRead(item, Ctx.StatusDto, out var s) && StatusMapper.ToStatus(s, item.GetRawText()) is { } status)
                batch.AddStatus(status);
            else
                batch.AddEvent(field, WebhookEventKinds.InvalidStatus, wabaId, entryTime, Raw(item));
        }

        foreach (JsonElement item in Items(dto.UserPreferences))
            MapPreference(item, ctx, batch);

        foreach (JsonElement item in Items(dto.Calls))
        {
            string kind = TryRead(item, Ctx.CallItemDto, out var call) && !string.IsNullOrEmpty(call.Event)
                ? "call_" + call.Event.ToLowerInvariant()
                : WebhookEventKinds.Call;
            AddItemEvent(item, kind, ctx, batch);
        }

        foreach (JsonElement item in Items(dto.Errors))
            batch.AddEvent(field, WebhookEventKinds.SystemError, wabaId, entryTime, Raw(item));

        if (dto.HasUnknownMember)
            batch.AddEvent(field, WebhookEventKinds.UnrecognizedValue, wabaId, entryTime, value.GetRawText());
    }

    /// <summary>The items of an array member; none when it was absent or null.</summary>
    private static JsonElement.ArrayEnumerator Items(JsonElement array) =>
        (array.ValueKind == JsonValueKind.Array ? array : EmptyArray).EnumerateArray();

    /// <summary>Never disposed, so safe to enumerate from any thread; stands in for an absent array.</summary>
    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]"u8.ToArray()).RootElement;

    private static void MapMessage(JsonElement item, MessageDirection direction, ChangeContext ctx, BatchBuilder batch)
    {
        MessageDto? dto = null;
        if (item.ValueKind == JsonValueKind.Object
            && TryRead(item, Ctx.MessageDto, out dto)
            && MessageMapper.ToMessage(dto, item.GetRawText(), direction, ctx) is { } message)
        {
            batch.AddMessage(message);
            return;
        }
        batch.AddEvent(ctx.Field, WebhookEventKinds.InvalidMessage, ctx.WabaId, dto?.Timestamp ?? ctx.EntryTime, Raw(item));
    }

    private static void MapPreference(JsonElement item, ChangeContext ctx, BatchBuilder batch)
    {
        if (TryRead(item, Ctx.UserPreferenceDto, out var p)
            && !string.IsNullOrEmpty(p.Category) && !string.IsNullOrEmpty(p.Value) && p.Timestamp is { } at)
        {
            batch.AddPreference(new PreferenceUpdate(p.WaId, p.UserId ?? ctx.UserIdFor(p.WaId), p.Category, p.Value, at, p.Detail, item.GetRawText()));
            return;
        }
        batch.AddEvent(ctx.Field, WebhookEventKinds.InvalidPreference, ctx.WabaId, ctx.EntryTime, Raw(item));
    }

    /// <summary>A call or call status, kept whole: Threadline does not model calls yet, but they are part of the contact's history.</summary>
    private static void AddItemEvent(JsonElement item, string kind, ChangeContext ctx, BatchBuilder batch)
    {
        DateTimeOffset? at = TryRead(item, Ctx.CallItemDto, out var c) ? c.Timestamp : null;
        batch.AddEvent(ctx.Field, kind, ctx.WabaId, at ?? ctx.EntryTime, Raw(item));
    }
}
