using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>
/// Payloads of the structured inbound types: media, location, contacts, order, system and unsupported.
/// A system "number changed" message also changes the sender's identity for everything that follows, as on WhatsApp.
/// </summary>
internal sealed class RichPayloadWriter(Random rng)
{
    public void Write(Utf8JsonWriter w, SimulatedSender s, string type, long timestamp)
    {
        switch (type)
        {
            case "image": WriteMedia(w, "image", "image/jpeg", caption: Caption(), timestamp: timestamp); break;
            case "video": WriteMedia(w, "video", "video/mp4", caption: Caption(), timestamp: timestamp); break;
            case "audio":
                bool voice = rng.NextDouble() < 0.8;
                WriteMedia(w, "audio", voice ? "audio/ogg; codecs=opus" : "audio/mpeg", voice: voice, timestamp: timestamp);
                break;
            case "sticker": WriteMedia(w, "sticker", "image/webp", animated: rng.NextDouble() < 0.3, timestamp: timestamp); break;
            case "document":
                string file = SampleContent.Pick(rng, SampleContent.DocumentNames);
                WriteMedia(w, "document", file.EndsWith(".pdf") ? "application/pdf" : "application/octet-stream",
                    caption: Caption(), filename: file, timestamp: timestamp);
                break;
            case "location": WriteLocation(w, s); break;
            case "contacts": WriteContactCards(w, s); break;
            case "order": WriteOrder(w, s); break;
            case "system": WriteSystem(w, s); break;
            case "unsupported": WriteUnsupported(w); break;
            default: throw new InvalidOperationException($"No payload writer for '{type}'.");
        }
    }

    private string? Caption()
    {
        string caption = SampleContent.Pick(rng, SampleContent.Captions);
        return caption.Length == 0 ? null : caption;
    }

    private void WriteMedia(Utf8JsonWriter w, string type, string mime, long timestamp, string? caption = null,
        string? filename = null, bool? voice = null, bool? animated = null)
    {
        string mediaId = rng.Next(1, 10) + SenderCountry.Digits(rng, 15);
        w.WriteStartObject(type);
        WebhookBodyWriter.WriteIfNotNull(w, "caption", caption);
        WebhookBodyWriter.WriteIfNotNull(w, "filename", filename);
        w.WriteString("mime_type", mime);
        Span<byte> hash = stackalloc byte[32];
        rng.NextBytes(hash);
        w.WriteString("sha256", Convert.ToBase64String(hash));
        w.WriteString("id", mediaId);
        if (rng.NextDouble() < 0.3) // newer webhooks sometimes include a direct (still bearer-protected) url
            w.WriteString("url", $"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={mediaId}&source=webhook&ext={timestamp}&hash=AT{rng.NextInt64():x}");
        if (voice is { } v)
            w.WriteBoolean("voice", v);
        if (animated is { } a)
            w.WriteBoolean("animated", a);
        w.WriteEndObject();
    }

    private void WriteLocation(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("location");
        w.WriteNumber("latitude", Math.Round(s.Country.Latitude + (rng.NextDouble() - 0.5) * 0.2, 6));
        w.WriteNumber("longitude", Math.Round(s.Country.Longitude + (rng.NextDouble() - 0.5) * 0.2, 6));
        if (rng.NextDouble() < 0.5) // a chosen place rather than the current position
        {
            w.WriteString("name", $"Café Central {s.Country.City}");
            w.WriteString("address", $"Hauptstraße {rng.Next(1, 200)}, {s.Country.City}");
            w.WriteString("url", "https://maps.google.com/?cid=" + SenderCountry.Digits(rng, 19));
        }
        w.WriteEndObject();
    }

    private void WriteContactCards(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartArray("contacts");
        int cards = rng.Next(1, 3);
        for (int i = 0; i < cards; i++)
        {
            string first = SampleContent.Pick(rng, ["Max", "Julia", "Sam", "Zoë"]);
            string last = SampleContent.Pick(rng, ["Mustermann", "Lee", "Peña"]);
            string phone = s.Country.NewPhone(rng);
            w.WriteStartObject();
            w.WriteStartObject("name");
            w.WriteString("first_name", first);
            w.WriteString("last_name", last);
            w.WriteString("formatted_name", $"{first} {last}");
            w.WriteEndObject();
            w.WriteStartArray("phones");
            w.WriteStartObject();
            w.WriteString("phone", "+" + phone);
            w.WriteString("wa_id", phone);
            w.WriteString("type", i == 0 ? "CELL" : "WORK");
            w.WriteEndObject();
            w.WriteEndArray();
            if (rng.NextDouble() < 0.4)
            {
                w.WriteStartArray("emails");
                w.WriteStartObject();
                w.WriteString("email", $"{first.ToLowerInvariant()}@example.com");
                w.WriteString("type", "WORK");
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteOrder(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("order");
        w.WriteString("catalog_id", "354160437058781");
        w.WriteString("text", rng.NextDouble() < 0.5 ? "" : "Bitte schnell liefern / please deliver fast");
        w.WriteStartArray("product_items");
        int items = rng.Next(1, 4);
        for (int i = 0; i < items; i++)
        {
            w.WriteStartObject();
            w.WriteString("product_retailer_id", SampleContent.Products[(i + rng.Next(5)) % SampleContent.Products.Length]);
            w.WriteNumber("quantity", rng.Next(1, 4));
            w.WriteNumber("item_price", Math.Round(rng.Next(500, 10000) / 100.0, 2));
            w.WriteString("currency", s.Country.Currency);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void WriteSystem(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("system");
        if (s.IsUsernameOnly)
        {
            // Username-only users have no number to change; their BSUID changes instead.
            string newUserId = s.Country.NewUserId(rng);
            w.WriteString("body", $"{s.Name} changed their user id");
            w.WriteString("user_id", newUserId);
            w.WriteString("type", "user_changed_user_id");
            s.UserId = newUserId;
        }
        else if (rng.NextDouble() < 0.3)
        {
            w.WriteString("body", "User identity changed");
            w.WriteString("type", "customer_identity_changed");
        }
        else
        {
            string newPhone = s.Country.NewPhone(rng);
            w.WriteString("body", $"User {s.Name} changed from {s.WaId} to {newPhone}");
            w.WriteString("wa_id", newPhone);
            w.WriteString("type", "user_changed_number");
            s.WaId = newPhone;
            if (s.UserId is not null)
                s.UserId = s.Country.NewUserId(rng); // a number change produces a new BSUID
        }
        w.WriteEndObject();
    }

    private void WriteUnsupported(Utf8JsonWriter w)
    {
        WebhookBodyWriter.WriteErrors(w, 131051, "Message type unknown", "Message type is currently not supported.");
        if (rng.NextDouble() < 0.5)
        {
            w.WriteStartObject("unsupported");
            w.WriteString("type", SampleContent.Pick(rng, ["poll", "event", "view_once"]));
            w.WriteEndObject();
        }
    }
}
