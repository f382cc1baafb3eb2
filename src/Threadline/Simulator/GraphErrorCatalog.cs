using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>
/// Graph API error answers as Meta shapes them (§6):
/// <c>{"error":{"message":"(#code) title","type":"OAuthException","code":…,"error_data":{"messaging_product":"whatsapp","details":…},"fbtrace_id":…}}</c>.
/// </summary>
internal static class GraphErrorCatalog
{
    public sealed record Entry(int HttpStatus, string Title, string Details);

    private static readonly Dictionary<int, Entry> Known = new()
    {
        [100] = new(400, "Invalid parameter", "Invalid parameter"),
        [190] = new(401, "Invalid OAuth access token - Cannot parse access token", "Invalid OAuth access token"),
        [130429] = new(429, "Rate limit hit", "Cloud API message throughput has been reached."),
        [131000] = new(500, "Something went wrong", "Something went wrong"),
        [131008] = new(400, "Required parameter is missing", "Required parameter is missing"),
        [131016] = new(503, "Service unavailable", "A service is temporarily unavailable. Please try again later."),
        [131026] = new(400, "Message undeliverable", "Message Undeliverable."),
        [131047] = new(400, "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
        [131049] = new(400, "This message was not delivered to maintain healthy ecosystem engagement.",
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
        [131050] = new(400, "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
            "The user has stopped marketing messages from this business."),
        [131051] = new(400, "Unsupported message type", "Message type is not currently supported."),
        [131056] = new(400, "(Business Account, Consumer Account) pair rate limit hit",
            "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."),
        [132001] = new(404, "Template name does not exist in the translation", "template name does not exist in the language"),
    };

    public static Entry Find(int code) => Known.TryGetValue(code, out var entry) ? entry : new(400, "Error", "Error");

    public static byte[] Json(int code, string? details = null)
    {
        var entry = Find(code);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            // Token errors carry the bare title; WhatsApp errors prefix it with "(#code) ".
            w.WriteString("message", code == 190 ? entry.Title : $"(#{code}) {entry.Title}");
            w.WriteString("type", "OAuthException");
            w.WriteNumber("code", code);
            w.WriteStartObject("error_data");
            w.WriteString("messaging_product", "whatsapp");
            w.WriteString("details", details ?? entry.Details);
            w.WriteEndObject();
            w.WriteString("fbtrace_id", "A" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '_').Replace('/', '-'));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}
