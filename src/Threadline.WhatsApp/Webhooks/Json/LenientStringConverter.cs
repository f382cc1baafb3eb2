using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

/// <summary>
/// Reads a string property that WhatsApp may also send as a number or boolean (ids such as <c>wa_id</c>,
/// <c>catalog_id</c> or <c>message_template_id</c> are strings in most payloads and numbers in some): the token's text
/// is kept as written, so <c>12345678</c> becomes <c>"12345678"</c>. An object or array where text belongs is still an error.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => throw new JsonException($"Expected a string, number or boolean, found {reader.TokenType}."),
        };

    /// <summary>The same reading for a value already parsed into a document (the envelope's <c>id</c> and <c>field</c>):
    /// false where <see cref="Read"/> would throw, null for JSON null.</summary>
    public static bool TryRead(JsonElement element, out string? value)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            try
            {
                value = element.GetString();
                return true;
            }
            catch (InvalidOperationException)
            {
                // Text that is not UTF-8: the serializer's read failed here too, which made the member unreadable.
                value = null;
                return false;
            }
        }
        value = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(), // the number's text as written, as Read keeps it
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        return element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
