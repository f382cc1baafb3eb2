using System.Text.Json;

namespace Threadline.WhatsApp.Webhooks.Json;

// The envelope (entry[] → changes[] → value) is walked in the body's one JsonDocument instead of being deserialized
// level by level: a DTO member typed JsonElement makes the serializer copy that subtree into a new document, so each
// level used to re-read and re-copy everything below it. Each reader accepts and rejects exactly what the DTO it
// replaces did: every occurrence of a repeated member is checked, and the last one is kept.

/// <summary>One <c>entry[]</c> object: a WhatsApp Business Account (<c>id</c>) and what changed for it.</summary>
internal readonly record struct EntryHeader(string? Id, DateTimeOffset? Time, JsonElement Changes)
{
    /// <summary>False when <c>id</c> is an object or array (ids may be numbers; see <see cref="LenientStringConverter"/>),
    /// or <c>id</c> or <c>time</c> is text that is not UTF-8.</summary>
    public static bool TryRead(JsonElement entry, out EntryHeader header)
    {
        header = default;
        foreach (JsonProperty member in entry.EnumerateObject())
        {
            if (member.NameEquals("id"u8))
            {
                if (!LenientStringConverter.TryRead(member.Value, out string? id))
                    return false;
                header = header with { Id = id };
            }
            else if (member.NameEquals("time"u8))
            {
                if (!UnixTimestampConverter.TryRead(member.Value, out DateTimeOffset? time))
                    return false;
                header = header with { Time = time };
            }
            else if (member.NameEquals("changes"u8))
                header = header with { Changes = member.Value };
        }
        return true;
    }
}

/// <summary>One <c>changes[]</c> object: the subscribed field and its value (default when absent).</summary>
internal readonly record struct ChangeHeader(string? Field, JsonElement Value)
{
    public static bool TryRead(JsonElement change, out ChangeHeader header)
    {
        header = default;
        foreach (JsonProperty member in change.EnumerateObject())
        {
            if (member.NameEquals("field"u8))
            {
                if (!LenientStringConverter.TryRead(member.Value, out string? field))
                    return false;
                header = header with { Field = field };
            }
            else if (member.NameEquals("value"u8))
                header = header with { Value = member.Value };
        }
        return true;
    }
}

/// <summary>
/// The value of the contact-facing fields (<c>messages</c>, <c>smb_message_echoes</c>, <c>user_preferences</c>,
/// <c>calls</c>): they share metadata and contacts and differ in which arrays they carry. Each array is the body's own
/// element (default when absent or null); its items are read one by one so one bad item does not cost the others.
/// </summary>
internal struct ContactFieldValue
{
    public MetadataDto? Metadata;
    public JsonElement Contacts, Messages, MessageEchoes, Statuses, UserPreferences, Calls, Errors;

    /// <summary>A member the parser does not read (reported so a WhatsApp addition is noticed rather than silently lost).</summary>
    public bool HasUnknownMember;

    /// <summary>False when <c>metadata</c> is not an object of strings or a known array member is not an array (null is
    /// fine): the value as a whole is then unreadable.</summary>
    public static bool TryRead(JsonElement value, out ContactFieldValue result)
    {
        result = default;
        foreach (JsonProperty member in value.EnumerateObject())
        {
            JsonElement v = member.Value;
            if (member.NameEquals("metadata"u8))
            {
                if (v.ValueKind == JsonValueKind.Null)
                    result.Metadata = null;
                else if (v.ValueKind != JsonValueKind.Object || !JsonRead.TryRead(v, WebhookJsonContext.Default.MetadataDto, out result.Metadata))
                    return false;
            }
            else if (member.NameEquals("contacts"u8)) { if (!TryArray(v, ref result.Contacts)) return false; }
            else if (member.NameEquals("messages"u8)) { if (!TryArray(v, ref result.Messages)) return false; }
            else if (member.NameEquals("message_echoes"u8)) { if (!TryArray(v, ref result.MessageEchoes)) return false; }
            else if (member.NameEquals("statuses"u8)) { if (!TryArray(v, ref result.Statuses)) return false; }
            else if (member.NameEquals("user_preferences"u8)) { if (!TryArray(v, ref result.UserPreferences)) return false; }
            else if (member.NameEquals("calls"u8)) { if (!TryArray(v, ref result.Calls)) return false; }
            else if (member.NameEquals("errors"u8)) { if (!TryArray(v, ref result.Errors)) return false; }
            else if (!member.NameEquals("messaging_product"u8))
                result.HasUnknownMember = true;
        }
        return true;
    }

    private static bool TryArray(JsonElement v, ref JsonElement slot)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Array: slot = v; return true;
            case JsonValueKind.Null: slot = default; return true;
            default: return false;
        }
    }
}
