using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

// Items of a contact-facing value (the envelope around them is walked in place: see EnvelopeReader.cs). Each item is
// deserialized on its own, from the body's document, so one malformed item does not cost the others.

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
