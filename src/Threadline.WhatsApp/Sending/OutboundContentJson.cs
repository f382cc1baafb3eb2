using System.Text.Json;

namespace Threadline.WhatsApp.Sending;

/// <summary>
/// The outbox's stored form of <see cref="OutboundContent"/>. A row is written when a decision is taken and read back,
/// possibly after a deploy, when the sender gets to it; reading therefore fails loudly on anything it cannot send
/// exactly as written rather than guessing.
/// </summary>
public static class OutboundContentJson
{
    /// <summary>The JSON to store. Content should have passed <see cref="OutboundContent.Validate"/> first; only valid
    /// content is guaranteed to read back equal (a broken surrogate would be replaced by U+FFFD).</summary>
    public static string Serialize(OutboundContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return JsonSerializer.Serialize(content, OutboundContentJsonContext.Default.OutboundContent);
    }

    /// <summary>
    /// Reads a stored row back. Throws <see cref="FormatException"/> for text that is not JSON, a kind this version
    /// does not know, or a null where a value is required: a row like that is corrupt or from a newer version, and
    /// sending something else in its place would be worse than stopping. Unknown fields are ignored so that a row
    /// written by a newer version with an extra optional field still sends.
    /// </summary>
    public static OutboundContent Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        OutboundContent? content;
        try
        {
            content = JsonSerializer.Deserialize(json, OutboundContentJsonContext.Default.OutboundContent);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Outbound content is not valid JSON of the expected shape: {e.Message}", e);
        }

        if (content is null)
            throw new FormatException("Outbound content is JSON null instead of an object.");
        if (!OutboundKinds.IsKnown(content.Kind))
            throw new FormatException(
                $"Outbound content has unknown kind \"{content.Kind}\"; expected one of {string.Join(", ", OutboundKinds.All)}.");
        if (NullItem(content) is { } where)
            throw new FormatException($"Outbound content has a null item in {where}.");
        return content;
    }

    /// <summary>System.Text.Json does not apply nullable annotations to collection items, so nulls inside lists are
    /// caught here.</summary>
    private static string? NullItem(OutboundContent content)
    {
        if (content.TemplateParameters?.Any(p => p is null) == true)
            return "template_parameters";
        if (content.Buttons?.Any(b => b is null) == true)
            return "buttons";
        if (content.Sections?.Any(s => s is null) == true)
            return "sections";
        if (content.Sections?.Any(s => s.Rows.Any(r => r is null)) == true)
            return "sections[].rows";
        return null;
    }
}
