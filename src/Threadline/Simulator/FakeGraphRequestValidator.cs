using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>The checks <see cref="FakeGraphApi"/> applies to a send body before accepting it.</summary>
internal static class FakeGraphRequestValidator
{
    public sealed record Outcome(int? ErrorCode, string? ErrorDetails, string? To, string? Recipient, string? Type, bool IsMarkAsRead, string? MarkedMessageId);

    private static Outcome Error(int code, string details) => new(code, details, null, null, null, false, null);

    public static Outcome Validate(string body)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException) { return Error(100, "The request body is not valid JSON."); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Error(100, "The request body must be a JSON object.");
            if (String(root, "messaging_product") != "whatsapp")
                return Error(100, "The parameter messaging_product is required and must be \"whatsapp\".");
            if (String(root, "status") == "read")
            {
                string? marked = String(root, "message_id");
                return marked is null
                    ? Error(100, "The parameter message_id is required.")
                    : new Outcome(null, null, null, null, null, true, marked);
            }
            string? to = String(root, "to"), recipient = String(root, "recipient");
            if (string.IsNullOrEmpty(to) && string.IsNullOrEmpty(recipient))
                return Error(131008, "The parameter to (or recipient) is required.");
            string? type = String(root, "type");
            if (string.IsNullOrEmpty(type))
                return Error(131008, "The parameter type is required.");
            if (!root.TryGetProperty(type, out var payload) || payload.ValueKind != JsonValueKind.Object)
                return Error(100, $"The parameter {type} is required for type {type}.");
            return new Outcome(null, null, string.IsNullOrEmpty(to) ? null : to, string.IsNullOrEmpty(recipient) ? null : recipient, type, false, null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
