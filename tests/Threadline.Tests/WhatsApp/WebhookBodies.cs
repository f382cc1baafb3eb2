using System.Text;
using System.Text.Json;

namespace Threadline.Tests.WhatsApp;

/// <summary>Builds webhook bodies for tests with <see cref="Utf8JsonWriter"/>, so any text (quotes, control characters,
/// emoji, lone surrogates replaced) is escaped the way a JSON producer would.</summary>
public static class WebhookBodies
{
    /// <summary>A <c>messages</c> body around one text message.</summary>
    public static byte[] TextMessage(string id, string body, long timestamp, bool timestampAsNumber = false, string from = "5511999990000") =>
        Envelope("messages", w =>
        {
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("from", from);
            w.WriteString("id", id);
            if (timestampAsNumber)
                w.WriteNumber("timestamp", timestamp);
            else
                w.WriteString("timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("type", "text");
            w.WriteStartObject("text");
            w.WriteString("body", body);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });

    /// <summary>A one-entry, one-change body whose value members are written by <paramref name="writeValueMembers"/>.</summary>
    public static byte[] Envelope(string field, Action<Utf8JsonWriter> writeValueMembers, string wabaId = "WABA1")
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "whatsapp_business_account");
            w.WriteStartArray("entry");
            w.WriteStartObject();
            w.WriteString("id", wabaId);
            w.WriteStartArray("changes");
            w.WriteStartObject();
            w.WriteString("field", field);
            w.WriteStartObject("value");
            w.WriteString("messaging_product", "whatsapp");
            w.WriteStartObject("metadata");
            w.WriteString("display_phone_number", "15550001111");
            w.WriteString("phone_number_id", "PNID1");
            w.WriteEndObject();
            writeValueMembers(w);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>A <c>messages</c> body whose <c>value</c> is the given JSON members (without braces).</summary>
    public static byte[] MessagesValue(string valueMembersJson) => Utf8(
        $$$"""{"object":"whatsapp_business_account","entry":[{"id":"WABA1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PNID1"},{{{valueMembersJson}}}}}]}]}""");

    /// <summary>A <c>messages</c> body with exactly one message object.</summary>
    public static byte[] OneMessage(string messageJson) => MessagesValue($$"""
        "messages":[{{messageJson}}]
        """);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
