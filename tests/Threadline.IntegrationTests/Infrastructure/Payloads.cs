using System.Text.Json.Nodes;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>Webhook bodies shaped exactly as the Cloud API posts them (see shared/docs/whatsapp-cloud-api.md §3–4).</summary>
public static class Payloads
{
    public const string PhoneNumberId = "100000000000001";
    public const string BusinessNumber = "15550001111";

    public static string Envelope(string field, JsonObject value, string wabaId = "200000000000002")
    {
        value["messaging_product"] ??= "whatsapp";
        value["metadata"] ??= new JsonObject { ["display_phone_number"] = BusinessNumber, ["phone_number_id"] = PhoneNumberId };
        return new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = wabaId,
                ["changes"] = new JsonArray(new JsonObject { ["value"] = value, ["field"] = field }),
            }),
        }.ToJsonString();
    }

    public static JsonObject Contact(string? waId, string name = "Ana Example", string? userId = null, string? username = null)
    {
        var profile = new JsonObject { ["name"] = name };
        if (username is not null) profile["username"] = username;
        var contact = new JsonObject { ["profile"] = profile };
        if (waId is not null) contact["wa_id"] = waId;
        if (userId is not null) contact["user_id"] = userId;
        return contact;
    }

    public static JsonObject TextMessage(string? from, string id, long unixSeconds, string body, string? fromUserId = null, string? replyTo = null)
    {
        var message = new JsonObject();
        if (from is not null) message["from"] = from;
        if (fromUserId is not null) message["from_user_id"] = fromUserId;
        message["id"] = id;
        message["timestamp"] = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        message["type"] = "text";
        message["text"] = new JsonObject { ["body"] = body };
        if (replyTo is not null) message["context"] = new JsonObject { ["from"] = BusinessNumber, ["id"] = replyTo };
        return message;
    }

    /// <summary>One or more inbound messages from one sender.</summary>
    public static string Inbound(string? waId, params JsonObject[] messages) => Inbound(waId, null, messages);

    public static string Inbound(string? waId, string? userId, params JsonObject[] messages) =>
        Envelope("messages", new JsonObject
        {
            ["contacts"] = new JsonArray(Contact(waId, userId: userId)),
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)m).ToArray()),
        });

    public static string Text(string waId, string id, long unixSeconds, string body) => Inbound(waId, TextMessage(waId, id, unixSeconds, body));

    /// <summary>A reply a person sent from the WhatsApp Business app (smb_message_echoes).</summary>
    public static string Echo(string toWaId, string id, long unixSeconds, string body) =>
        Envelope("smb_message_echoes", new JsonObject
        {
            ["contacts"] = new JsonArray(Contact(toWaId)),
            ["message_echoes"] = new JsonArray(new JsonObject
            {
                ["from"] = BusinessNumber, ["to"] = toWaId, ["id"] = id,
                ["timestamp"] = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["type"] = "text", ["text"] = new JsonObject { ["body"] = body },
            }),
        });

    public static string Status(string messageId, string status, long unixSeconds, string recipient, int? errorCode = null, string? callbackData = null)
    {
        var s = new JsonObject
        {
            ["id"] = messageId, ["status"] = status,
            ["timestamp"] = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["recipient_id"] = recipient,
        };
        if (callbackData is not null) s["biz_opaque_callback_data"] = callbackData;
        if (errorCode is { } code)
            s["errors"] = new JsonArray(new JsonObject
            {
                ["code"] = code, ["title"] = "Message undeliverable", ["message"] = "Message undeliverable",
                ["error_data"] = new JsonObject { ["details"] = "Message Undeliverable." },
            });
        return Envelope("messages", new JsonObject { ["statuses"] = new JsonArray(s) });
    }

    public static string Change(string waId, string id, long unixSeconds, string type, string originalId, string? newText = null)
    {
        var message = new JsonObject
        {
            ["from"] = waId, ["id"] = id, ["timestamp"] = unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), ["type"] = type,
        };
        message[type] = type == "edit"
            ? new JsonObject { ["original_message_id"] = originalId, ["message"] = new JsonObject { ["type"] = "text", ["text"] = new JsonObject { ["body"] = newText } } }
            : new JsonObject { ["original_message_id"] = originalId };
        return Inbound(waId, message);
    }

    public static string MarketingPreference(string waId, string value, long unixSeconds) =>
        Envelope("user_preferences", new JsonObject
        {
            ["contacts"] = new JsonArray(Contact(waId)),
            ["user_preferences"] = new JsonArray(new JsonObject
            {
                ["wa_id"] = waId, ["detail"] = "User requested to " + value + " marketing messages",
                ["category"] = "marketing_messages", ["value"] = value, ["timestamp"] = unixSeconds,
            }),
        });
}
