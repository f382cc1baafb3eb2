using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

// Items of a contact-facing value (the envelope around them is walked in place: see EnvelopeReader.cs). Each item is
// deserialized on its own, from the body's document, so one malformed item does not cost the others. Members are
// settable rather than init-only for speed (see MessageDtos.cs).

internal sealed class MetadataDto
{
    public string? DisplayPhoneNumber { get; set; }
    public string? PhoneNumberId { get; set; }
}

/// <summary>A <c>contacts[]</c> item of a value (the user the change is about, not a shared contact card).</summary>
internal sealed class ContactDto
{
    public ProfileDto? Profile { get; set; }
    public string? WaId { get; set; }
    public string? UserId { get; set; }
    public string? ParentUserId { get; set; }
}

internal sealed class ProfileDto
{
    public string? Name { get; set; }
    public string? Username { get; set; }
}

/// <summary>A <c>user_preferences[]</c> item.</summary>
internal sealed class UserPreferenceDto
{
    public string? WaId { get; set; }
    public string? UserId { get; set; }
    public string? Category { get; set; }
    public string? Value { get; set; }
    public string? Detail { get; set; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; set; }
}

/// <summary>The few fields of a <c>calls[]</c> item or call status the parser reads; the rest stays in the raw JSON.</summary>
internal sealed class CallItemDto
{
    public string? Event { get; set; }
    [JsonConverter(typeof(UnixTimestampConverter))]
    public DateTimeOffset? Timestamp { get; set; }
}
