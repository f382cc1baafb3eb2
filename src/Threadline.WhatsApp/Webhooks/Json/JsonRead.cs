using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Threadline.WhatsApp.Webhooks.Json;

/// <summary>Reading one part of a body without letting its failure escape: the caller decides what an unreadable part becomes.</summary>
internal static class JsonRead
{
    /// <summary>True and the object when <paramref name="element"/> reads as <typeparamref name="T"/>; false for JSON null,
    /// a mismatched shape, or text the reader rejects.</summary>
    public static bool TryRead<T>(JsonElement element, JsonTypeInfo<T> info, [NotNullWhen(true)] out T? value) where T : class
    {
        try
        {
            value = element.Deserialize(info);
            return value is not null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>The element's JSON text as received; <c>null</c> for an absent element.</summary>
    public static string Raw(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? "null" : element.GetRawText();

    /// <summary>The value of <paramref name="obj"/>'s last member named <paramref name="utf8Name"/> (default when absent).
    /// Last, because that is the member the serializer keeps when a name repeats, and the DTOs this replaces were read so.</summary>
    public static JsonElement LastMember(JsonElement obj, ReadOnlySpan<byte> utf8Name)
    {
        JsonElement found = default;
        foreach (JsonProperty member in obj.EnumerateObject())
            if (member.NameEquals(utf8Name))
                found = member.Value;
        return found;
    }
}
