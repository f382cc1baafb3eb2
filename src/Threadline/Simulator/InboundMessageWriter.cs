using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>
/// Writes one inbound <c>messages[]</c> element of a given simulated type (§3 of the API notes), keeping the sender's
/// memory (own text ids, quoted outbound ids) up to date. Media, location, contacts, order, system and unsupported
/// payloads live in <see cref="RichPayloadWriter"/>.
/// </summary>
internal sealed class InboundMessageWriter(Random rng, TrafficOptions options, Func<SimulatedSender, string> newId)
{
    private readonly RichPayloadWriter _rich = new(rng);

    /// <summary>Simulated types; <c>button_reply</c>/<c>list_reply</c> are interactive, <c>referral</c> is a text with an ad referral.</summary>
    public static readonly (string Type, double Weight)[] Types =
    [
        ("text", 40), ("image", 8), ("audio", 7), ("video", 3), ("document", 3), ("sticker", 3), ("location", 2),
        ("contacts", 2), ("button_reply", 3), ("list_reply", 2), ("button", 3), ("reaction", 5), ("order", 2),
        ("referral", 3), ("system", 1.5), ("unsupported", 1.5), ("edit", 3), ("revoke", 2),
    ];

    /// <summary>Writes the message and returns its wire <c>type</c> (edit/revoke fall back to text without an earlier text to act on).</summary>
    public string Write(Utf8JsonWriter w, SimulatedSender s, string simulatedType, string id, long timestamp)
    {
        if (simulatedType is "edit" or "revoke" && s.OwnTextIds.Count == 0)
            simulatedType = "text";
        string wireType = simulatedType switch
        {
            "button_reply" or "list_reply" => "interactive",
            "referral" => "text",
            _ => simulatedType,
        };

        w.WriteStartObject();
        WriteContext(w, s, simulatedType);
        if (simulatedType == "referral")
            WriteReferral(w);
        WebhookBodyWriter.WriteIfNotNull(w, "from", s.WaId);
        WebhookBodyWriter.WriteIfNotNull(w, "from_user_id", s.UserId);
        w.WriteString("id", id);
        w.WriteString("timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("type", wireType);
        switch (simulatedType)
        {
            case "text" or "referral": WriteText(w, s, id); break;
            case "button_reply" or "list_reply": WriteInteractive(w, simulatedType); break;
            case "button": WriteTemplateButton(w); break;
            case "reaction": WriteReaction(w, s); break;
            case "edit": WriteEdit(w, s); break;
            case "revoke": WriteRevoke(w, s); break;
            default: _rich.Write(w, s, simulatedType, timestamp); break;
        }
        w.WriteEndObject();
        return wireType;
    }

    private void WriteContext(Utf8JsonWriter w, SimulatedSender s, string type)
    {
        bool quotesOutbound = type is "button_reply" or "list_reply" or "button"
                              || (type == "text" && rng.NextDouble() < 0.12);
        if (quotesOutbound)
        {
            w.WriteStartObject("context");
            w.WriteString("from", options.DisplayPhoneNumber);
            // Template buttons quote the template (sent through the API, so unknown to the generator): a fresh id.
            w.WriteString("id", type == "button" ? newId(s) : QuotableOutboundId(s));
            w.WriteEndObject();
        }
        else if (type is "text" or "image" or "video" or "document" or "location" && rng.NextDouble() < 0.05)
        {
            w.WriteStartObject("context");
            w.WriteBoolean(rng.NextDouble() < 0.25 ? "frequently_forwarded" : "forwarded", true);
            w.WriteEndObject();
        }
    }

    /// <summary>A business message this sender received: a recent echo, else an id standing for an API send.</summary>
    private string QuotableOutboundId(SimulatedSender s)
    {
        if (s.OutboundIds.Count > 0)
            return s.OutboundIds[rng.Next(s.OutboundIds.Count)];
        string id = newId(s);
        SimulatedSender.Remember(s.OutboundIds, id);
        return id;
    }

    private void WriteText(Utf8JsonWriter w, SimulatedSender s, string id)
    {
        w.WriteStartObject("text");
        w.WriteString("body", SampleContent.Pick(rng, s.Country.German ? SampleContent.GermanTexts : SampleContent.EnglishTexts));
        w.WriteEndObject();
        SimulatedSender.Remember(s.OwnTextIds, id);
    }

    private void WriteReferral(Utf8JsonWriter w)
    {
        string adId = "1202" + SenderCountry.Digits(rng, 11);
        w.WriteStartObject("referral");
        w.WriteString("source_url", $"https://fb.me/{SenderCountry.Digits(rng, 9)}");
        w.WriteString("source_id", adId);
        w.WriteString("source_type", "ad");
        w.WriteString("headline", "Spring sale – 20% off / Frühlingsrabatt");
        w.WriteString("body", "Chat with us on WhatsApp!");
        w.WriteString("media_type", "image");
        w.WriteString("image_url", $"https://scontent.xx.fbcdn.net/v/t45.1600-4/{adId}_n.png?stp=dst-jpg&_nc_cat=1");
        w.WriteString("thumbnail_url", $"https://scontent.xx.fbcdn.net/v/t45.1600-4/{adId}_t.png");
        w.WriteString("ctwa_clid", "ARA" + Convert.ToBase64String(BitConverter.GetBytes(rng.NextInt64())).TrimEnd('='));
        w.WriteEndObject();
    }

    private void WriteInteractive(Utf8JsonWriter w, string type)
    {
        w.WriteStartObject("interactive");
        w.WriteString("type", type);
        w.WriteStartObject(type);
        if (type == "button_reply")
        {
            var (id, title) = SampleContent.Pick(rng, SampleContent.ReplyButtons);
            w.WriteString("id", id);
            w.WriteString("title", title);
        }
        else
        {
            var (id, title, description) = SampleContent.Pick(rng, SampleContent.ListRows);
            w.WriteString("id", id);
            w.WriteString("title", title);
            if (description.Length > 0)
                w.WriteString("description", description);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteTemplateButton(Utf8JsonWriter w)
    {
        var (payload, text) = SampleContent.Pick(rng, SampleContent.TemplateButtons);
        w.WriteStartObject("button");
        w.WriteString("payload", payload);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private void WriteReaction(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("reaction");
        w.WriteString("message_id", QuotableOutboundId(s));
        // About one in ten reactions is a removal, which Meta sends with an empty emoji.
        w.WriteString("emoji", rng.NextDouble() < 0.1 ? "" : SampleContent.Pick(rng, SampleContent.ReactionEmoji));
        w.WriteEndObject();
    }

    private void WriteEdit(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("edit");
        w.WriteString("original_message_id", s.OwnTextIds[^1]);
        w.WriteStartObject("message");
        w.WriteString("type", "text");
        w.WriteStartObject("text");
        w.WriteString("body", SampleContent.Pick(rng, s.Country.German ? SampleContent.GermanTexts : SampleContent.EnglishTexts) + " (edited)");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteRevoke(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartObject("revoke");
        w.WriteString("original_message_id", s.OwnTextIds[^1]);
        w.WriteEndObject();
        s.OwnTextIds.RemoveAt(s.OwnTextIds.Count - 1); // a revoked message cannot be edited or revoked again
    }
}
