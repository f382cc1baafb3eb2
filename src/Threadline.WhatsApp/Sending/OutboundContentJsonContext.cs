using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Sending;

/// <summary>
/// Source-generated metadata for the outbox's stored form of <see cref="OutboundContent"/>: no reflection, so it stays
/// trim- and AOT-safe like the webhook model. Names are snake_case to read like the rest of WhatsApp's JSON; nulls are
/// left out to keep rows short. Nullable annotations and required constructor parameters are enforced so that a row
/// missing a button's id fails on reading instead of producing a half-built button.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(OutboundContent))]
internal sealed partial class OutboundContentJsonContext : JsonSerializerContext;
