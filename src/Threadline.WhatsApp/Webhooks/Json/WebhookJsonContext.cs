using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

/// <summary>
/// Source-generated (trim- and AOT-safe, no reflection) metadata for every webhook shape the parser reads. WhatsApp's
/// names are snake_case; numbers may arrive as strings (<see cref="JsonNumberHandling.AllowReadingFromString"/>) and ids
/// as numbers (<see cref="LenientStringConverter"/>). Unknown members are ignored here because each item's raw JSON is kept.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(LenientStringConverter)])]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(MetadataDto))]
[JsonSerializable(typeof(ContactDto))]
[JsonSerializable(typeof(UserPreferenceDto))]
[JsonSerializable(typeof(CallItemDto))]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(StatusDto))]
[JsonSerializable(typeof(ErrorDto))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
