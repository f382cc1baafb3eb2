using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

// The webhook envelope: object → entry[] → changes[] → {field, value}. Collections stay JsonElement so the parser can
// check their shape itself (and say exactly what is wrong) and keep each item's raw JSON.

/// <summary>The body's top level (<c>object</c> is checked on the raw element first: an unknown object is kept whole).</summary>
internal sealed class WebhookBodyDto
{
    public JsonElement Entry { get; init; }
}

/// <summary>One <c>entry[]</c> item: a WhatsApp Business Account (<c>id</c>) and what changed for it.</summary>
internal sealed class EntryDto
{
    public string? Id { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Time { get; init; }
    public JsonElement Changes { get; init; }
}

/// <summary>One <c>changes[]</c> item: the subscribed field and its value, whose shape depends on the field.</summary>
internal sealed class ChangeDto
{
    public string? Field { get; init; }
    public JsonElement Value { get; init; }
}

/// <summary>
/// The value of the contact-facing fields (<c>messages</c>, <c>smb_message_echoes</c>, <c>user_preferences</c>,
/// <c>calls</c>): they share metadata and contacts and differ in which arrays they carry. Items stay raw so one bad item
/// does not cost the others.
/// </summary>
internal sealed class ContactFieldValueDto
{
    public MetadataDto? Metadata { get; init; }
    public List<JsonElement>? Contacts { get; init; }
    public List<JsonElement>? Messages { get; init; }
    public List<JsonElement>? MessageEchoes { get; init; }
    public List<JsonElement>? Statuses { get; init; }
    public List<JsonElement>? UserPreferences { get; init; }
    public List<JsonElement>? Calls { get; init; }
    public List<JsonElement>? Errors { get; init; }
}

internal sealed class MetadataDto
{
    public string? DisplayPhoneNumber { get; init; }
    public string? PhoneNumberId { get; init; }
}

/// <summary>A <c>contacts[]</c> item of a value (the user the change is about, not a shared contact card).</summary>
internal sealed class ContactDto
{
    public ProfileDto? Profile { get; init; }
    public string? WaId { get; init; }
    public string? UserId { get; init; }
    public string? ParentUserId { get; init; }
}

internal sealed class ProfileDto
{
    public string? Name { get; init; }
    public string? Username { get; init; }
}

/// <summary>A <c>user_preferences[]</c> item.</summary>
internal sealed class UserPreferenceDto
{
    public string? WaId { get; init; }
    public string? UserId { get; init; }
    public string? Category { get; init; }
    public string? Value { get; init; }
    public string? Detail { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>The few fields of a <c>calls[]</c> item or call status the parser reads; the rest stays in the raw JSON.</summary>
internal sealed class CallItemDto
{
    public string? Event { get; init; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>The <c>event</c> of a value that is otherwise kept raw (account and template updates, unknown fields).</summary>
internal sealed class EventValueDto
{
    public JsonElement Event { get; init; }
}
