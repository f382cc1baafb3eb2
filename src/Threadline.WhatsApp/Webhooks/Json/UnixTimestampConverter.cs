using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Webhooks.Json;

/// <summary>
/// Reads a WhatsApp timestamp: Unix seconds (UTC) sent as a string (<c>"1749416383"</c>, the documented form) or as a
/// number (as <c>user_preferences[].timestamp</c> and <c>entry[].time</c> arrive). Anything that is not a usable time
/// (text that is not digits, an object, a value outside <see cref="DateTimeOffset"/>'s range) reads as <c>null</c> rather
/// than failing the whole object: the mappers then decide what a missing time means for that record.
/// </summary>
internal sealed class UnixTimestampConverter : JsonConverter<DateTimeOffset?>
{
    // DateTimeOffset.FromUnixTimeSeconds accepts exactly this range.
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadToken(ref reader);

    /// <summary>The same reading for a value already parsed into a document (the envelope's <c>entry[].time</c>): its
    /// raw bytes go through the converter, so both paths share one definition of a usable time. False where the
    /// serializer's read would throw (a string that is not UTF-8).</summary>
    public static bool TryRead(JsonElement element, out DateTimeOffset? value)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(element));
        reader.Read();
        try
        {
            value = ReadToken(ref reader);
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    private static DateTimeOffset? ReadToken(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out long whole))
                    return FromSeconds(whole);
                // A fractional or huge number: keep whole seconds when it fits.
                return reader.TryGetDouble(out double d) && double.IsFinite(d) && d >= MinSeconds && d <= MaxSeconds
                    ? FromSeconds((long)Math.Floor(d))
                    : null;
            case JsonTokenType.String:
                // Plain digits are parsed where they lie (no string per timestamp). Anything else takes the string path,
                // which also rejects text that is not UTF-8, as it always has.
                if (!reader.ValueIsEscaped && !reader.HasValueSequence
                    && long.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long digits))
                    return FromSeconds(digits);
                string? text = reader.GetString();
                return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) ? FromSeconds(parsed) : null;
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                reader.Skip();
                return null;
            default: // null, true, false
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v)
            writer.WriteStringValue(v.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        else
            writer.WriteNullValue();
    }

    private static DateTimeOffset? FromSeconds(long seconds) =>
        seconds is >= MinSeconds and <= MaxSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
