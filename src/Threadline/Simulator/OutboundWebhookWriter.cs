using System.Globalization;
using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>
/// Bodies about business-side messages: <c>smb_message_echoes</c> (a human answered from the WhatsApp Business app)
/// and the <c>statuses</c> that follow them. Statuses carry no <c>contacts</c>, as Meta's do not.
/// </summary>
internal static class OutboundWebhookWriter
{
    public static byte[] Echo(TrafficOptions o, SimulatedSender s, string id, long timestamp, Random rng) =>
        WebhookBodyWriter.Build(o, "smb_message_echoes", s, w =>
        {
            w.WriteStartArray("message_echoes");
            w.WriteStartObject();
            w.WriteString("from", o.DisplayPhoneNumber);
            WebhookBodyWriter.WriteIfNotNull(w, "to", s.WaId);
            WebhookBodyWriter.WriteIfNotNull(w, "to_user_id", s.UserId);
            WebhookBodyWriter.WriteIfNotNull(w, "to_parent_user_id", s.ParentUserId);
            w.WriteString("id", id);
            w.WriteString("timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            string reply = string.Format(CultureInfo.InvariantCulture,
                SampleContent.Pick(rng, s.Country.German ? SampleContent.GermanReplies : SampleContent.EnglishReplies),
                s.Name.Split(' ')[0]);
            if (rng.NextDouble() < 0.15)
            {
                w.WriteString("type", "image");
                w.WriteStartObject("image");
                w.WriteString("caption", reply);
                w.WriteString("mime_type", "image/jpeg");
                w.WriteString("id", rng.Next(1, 10) + SenderCountry.Digits(rng, 15));
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("type", "text");
                w.WriteStartObject("text");
                w.WriteString("body", reply);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
        });

    /// <summary>One status (sent, delivered, read or failed); failed carries error 131026 and no pricing.</summary>
    public static byte[] Status(TrafficOptions o, SimulatedSender s, string id, string status, long timestamp, string conversationId) =>
        WebhookBodyWriter.Build(o, "messages", contact: null, w =>
        {
            w.WriteStartArray("statuses");
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("status", status);
            w.WriteString("timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            WebhookBodyWriter.WriteIfNotNull(w, "recipient_id", s.WaId);
            WebhookBodyWriter.WriteIfNotNull(w, "recipient_user_id", s.UserId);
            if (status == "failed")
            {
                WebhookBodyWriter.WriteErrors(w, 131026, "Message undeliverable",
                    "Message Undeliverable. The recipient may not be on WhatsApp or may not have accepted the terms.");
            }
            else if (status != "read")
            {
                w.WriteStartObject("conversation");
                w.WriteString("id", conversationId);
                if (status == "sent")
                    w.WriteString("expiration_timestamp", (timestamp + 86_400).ToString(CultureInfo.InvariantCulture));
                w.WriteStartObject("origin");
                w.WriteString("type", "service");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("pricing");
                w.WriteBoolean("billable", false);
                w.WriteString("pricing_model", "PMP");
                w.WriteString("category", "service");
                w.WriteString("type", "free_customer_service");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
        });

    /// <summary><c>user_preferences</c>: the user stopped or resumed marketing messages (timestamp is a number here, as in the corpus).</summary>
    public static byte[] MarketingPreference(TrafficOptions o, SimulatedSender s, bool stop, long timestamp) =>
        WebhookBodyWriter.Build(o, "user_preferences", s, w =>
        {
            w.WriteStartArray("user_preferences");
            w.WriteStartObject();
            w.WriteString("wa_id", s.WaId);
            w.WriteString("detail", stop ? "User requested to stop marketing messages" : "User requested to resume marketing messages");
            w.WriteString("category", "marketing_messages");
            w.WriteString("value", stop ? "stop" : "resume");
            w.WriteNumber("timestamp", timestamp);
            w.WriteEndObject();
            w.WriteEndArray();
        });
}
