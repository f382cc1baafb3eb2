using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Threadline.WhatsApp.Sending;

/// <summary>
/// The request body of <c>POST {base}/{version}/{phone-number-id}/messages</c> for one <see cref="OutboundContent"/>.
/// Written by hand with <see cref="Utf8JsonWriter"/> because the Graph shape nests differently per type and a DTO per
/// type would only restate this file. The writer's default encoder escapes quotes, control characters, HTML-sensitive
/// characters and non-ASCII, so customer and agent text can never break out of its string.
/// </summary>
public static class GraphMessageJson
{
    /// <summary>Longest <c>biz_opaque_callback_data</c>, in UTF-8 bytes.</summary>
    public const int MaxCallbackDataBytes = 512;

    /// <summary>
    /// The exact UTF-8 body to send. <paramref name="to"/> may be written the way people write numbers (+55 11 9…):
    /// WhatsApp wants digits only (a read receipt has no recipient and ignores it). <paramref name="callbackData"/> comes back on every status webhook of this message,
    /// which is how a status finds its outbox row without a lookup; read receipts have no statuses and ignore it.
    /// </summary>
    /// <exception cref="ArgumentException">The content fails <see cref="OutboundContent.Validate"/>, the number has no
    /// digits, or the callback data is longer than 512 bytes. These are bugs in the caller, not answers from WhatsApp.</exception>
    public static byte[] Build(string to, OutboundContent content, string? callbackData)
    {
        ArgumentNullException.ThrowIfNull(content);
        IReadOnlyList<string> problems = content.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Outbound content cannot be sent: " + string.Join(" ", problems), nameof(content));
        if (callbackData is not null && Encoding.UTF8.GetByteCount(callbackData) > MaxCallbackDataBytes)
            throw new ArgumentException(
                $"Callback data is {Encoding.UTF8.GetByteCount(callbackData)} bytes; WhatsApp accepts at most {MaxCallbackDataBytes}.",
                nameof(callbackData));

        ArrayBufferWriter<byte> buffer = new(256);
        using (Utf8JsonWriter json = new(buffer))
        {
            json.WriteStartObject();
            json.WriteString("messaging_product", "whatsapp");
            if (content.Kind == OutboundKinds.Read)
                WriteRead(json, content);
            else
                WriteMessage(json, IsBusinessScopedUserId(to) ? to.Trim() : Digits(to), content, callbackData);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A read receipt is not a message: no recipient, no type, just the status and the id.</summary>
    private static void WriteRead(Utf8JsonWriter json, OutboundContent content)
    {
        json.WriteString("status", "read");
        json.WriteString("message_id", content.ReadMessageId);
    }

    private static void WriteMessage(Utf8JsonWriter json, string to, OutboundContent content, string? callbackData)
    {
        json.WriteString("recipient_type", "individual");
        // A user known only by the business-scoped user id (a username user without a visible number) is addressed by it.
        json.WriteString(IsBusinessScopedUserId(to) ? "recipient" : "to", to);
        if (content.QuotedMessageId is not null)
        {
            json.WriteStartObject("context");
            json.WriteString("message_id", content.QuotedMessageId);
            json.WriteEndObject();
        }
        if (callbackData is not null)
            json.WriteString("biz_opaque_callback_data", callbackData);

        switch (content.Kind)
        {
            case OutboundKinds.Text:
                json.WriteString("type", "text");
                json.WriteStartObject("text");
                json.WriteString("body", content.Text);
                json.WriteBoolean("preview_url", content.PreviewUrl);
                json.WriteEndObject();
                break;
            case OutboundKinds.Template:
                json.WriteString("type", "template");
                WriteTemplate(json, content);
                break;
            case OutboundKinds.Buttons:
                json.WriteString("type", "interactive");
                WriteButtons(json, content);
                break;
            case OutboundKinds.List:
                json.WriteString("type", "interactive");
                WriteList(json, content);
                break;
            case OutboundKinds.Reaction:
                json.WriteString("type", "reaction");
                json.WriteStartObject("reaction");
                json.WriteString("message_id", content.ReactToMessageId);
                json.WriteString("emoji", content.Emoji);
                json.WriteEndObject();
                break;
            default:
                // Unreachable after Validate; kept so a new kind added without a writer fails loudly.
                throw new ArgumentException($"No Graph body is defined for kind \"{content.Kind}\".", nameof(content));
        }
    }

    private static void WriteTemplate(Utf8JsonWriter json, OutboundContent content)
    {
        json.WriteStartObject("template");
        json.WriteString("name", content.TemplateName);
        json.WriteStartObject("language");
        json.WriteString("code", content.TemplateLanguage);
        json.WriteEndObject();
        // A template without placeholders is sent without components: an empty body component is rejected (132000).
        if (content.TemplateParameters is { Count: > 0 } parameters)
        {
            json.WriteStartArray("components");
            json.WriteStartObject();
            json.WriteString("type", "body");
            json.WriteStartArray("parameters");
            foreach (string parameter in parameters)
            {
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", parameter);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void WriteButtons(Utf8JsonWriter json, OutboundContent content)
    {
        json.WriteStartObject("interactive");
        json.WriteString("type", "button");
        WriteBody(json, content);
        json.WriteStartObject("action");
        json.WriteStartArray("buttons");
        foreach (OutboundButton button in content.Buttons!)
        {
            json.WriteStartObject();
            json.WriteString("type", "reply");
            json.WriteStartObject("reply");
            json.WriteString("id", button.Id);
            json.WriteString("title", button.Title);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, OutboundContent content)
    {
        json.WriteStartObject("interactive");
        json.WriteString("type", "list");
        WriteBody(json, content);
        json.WriteStartObject("action");
        json.WriteString("button", content.ListButton);
        json.WriteStartArray("sections");
        foreach (OutboundSection section in content.Sections!)
        {
            json.WriteStartObject();
            // WhatsApp only requires a section title when there are several sections; an empty one is left out.
            if (!string.IsNullOrEmpty(section.Title))
                json.WriteString("title", section.Title);
            json.WriteStartArray("rows");
            foreach (OutboundRow row in section.Rows)
            {
                json.WriteStartObject();
                json.WriteString("id", row.Id);
                json.WriteString("title", row.Title);
                if (row.Description is not null)
                    json.WriteString("description", row.Description);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteBody(Utf8JsonWriter json, OutboundContent content)
    {
        json.WriteStartObject("body");
        json.WriteString("text", content.Text);
        json.WriteEndObject();
    }

    /// <summary>
    /// Whether a recipient is a business-scoped user id (BSUID, e.g. <c>US.13491208655302741918</c>) rather than a phone
    /// number: a BSUID is its region's two capital letters, a dot and an id (<c>US.1349…</c>, <c>BR.ENT.9876…</c>).
    /// </summary>
    public static bool IsBusinessScopedUserId(string recipient)
    {
        var r = recipient.AsSpan().Trim();
        return r.Length > 3 && char.IsAsciiLetterUpper(r[0]) && char.IsAsciiLetterUpper(r[1]) && r[2] == '.'
            && r[3..].IndexOfAnyExcept(".0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") < 0;
    }

    /// <summary>Keeps ASCII digits only, which also drops a leading '+', spaces, dashes and parentheses.</summary>
    private static string Digits(string to)
    {
        ArgumentNullException.ThrowIfNull(to);
        string digits = string.Concat(to.Where(char.IsAsciiDigit));
        if (digits.Length == 0)
            throw new ArgumentException($"Recipient \"{to}\" contains no digits.", nameof(to));
        return digits;
    }
}
