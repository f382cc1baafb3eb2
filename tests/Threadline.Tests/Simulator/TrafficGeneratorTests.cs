using System.Text.Json;
using Threadline.Simulator;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.Simulator;

public sealed class TrafficGeneratorTests(GeneratedTraffic traffic) : IClassFixture<GeneratedTraffic>
{
    [Fact]
    public void Same_seed_and_start_give_identical_bytes()
    {
        var again = new TrafficGenerator(GeneratedTraffic.Options).Generate(2000).ToList();
        Assert.Equal(traffic.Webhooks.Count, again.Count);
        for (int i = 0; i < again.Count; i++)
        {
            Assert.Equal(traffic.Webhooks[i].Body, again[i].Body);
            Assert.Equal(traffic.Webhooks[i].Kind, again[i].Kind);
            Assert.Equal(traffic.Webhooks[i].IsDuplicateDelivery, again[i].IsDuplicateDelivery);
        }
        var otherSeed = new TrafficGenerator(GeneratedTraffic.Options with { Seed = 43 }).Generate(20).ToList();
        Assert.NotEqual(traffic.Webhooks[0].Body, otherSeed[0].Body);
    }

    [Fact]
    public void Start_time_comes_from_the_time_provider_when_not_given()
    {
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var generator = new TrafficGenerator(GeneratedTraffic.Options with { Start = null }, new FixedTimeProvider(now));
        Assert.Equal(now, generator.Start);
    }

    [Fact]
    public void Every_body_has_the_webhook_shape_and_a_valid_signature()
    {
        string[] arrays = ["messages", "statuses", "message_echoes", "user_preferences"];
        for (int i = 0; i < traffic.Webhooks.Count; i++)
        {
            var webhook = traffic.Webhooks[i];
            var doc = traffic.Documents[i];
            Assert.True(WebhookSignature.IsValid(webhook.Body, webhook.Signature, GeneratedTraffic.Options.AppSecret));
            Assert.Equal("whatsapp_business_account", doc.RootElement.GetProperty("object").GetString());
            Assert.Equal(GeneratedTraffic.Options.WabaId, doc.RootElement.GetProperty("entry")[0].GetProperty("id").GetString());
            var value = GeneratedTraffic.Value(doc);
            Assert.Equal("whatsapp", value.GetProperty("messaging_product").GetString());
            Assert.Equal(GeneratedTraffic.Options.PhoneNumberId, value.GetProperty("metadata").GetProperty("phone_number_id").GetString());
            Assert.Equal(GeneratedTraffic.Options.DisplayPhoneNumber, value.GetProperty("metadata").GetProperty("display_phone_number").GetString());
            Assert.Contains(GeneratedTraffic.Field(doc), new[] { "messages", "smb_message_echoes", "user_preferences" });
            string array = Assert.Single(arrays, a => value.TryGetProperty(a, out _));
            Assert.StartsWith(array, webhook.Kind);
            foreach (var item in value.GetProperty(array).EnumerateArray())
            {
                if (array != "user_preferences")
                    Assert.Matches("^[0-9]{10}$", item.GetProperty("timestamp").GetString()); // a string of unix seconds
            }
        }
    }

    [Fact]
    public void A_run_of_2000_contains_every_message_type_and_variant()
    {
        var seen = new HashSet<string>();
        foreach (var (_, m) in traffic.InboundMessages())
        {
            string type = m.GetProperty("type").GetString()!;
            seen.Add(type);
            if (type == "interactive")
                seen.Add(m.GetProperty("interactive").GetProperty("type").GetString()!);
            if (type == "audio")
                seen.Add(m.GetProperty("audio").GetProperty("voice").GetBoolean() ? "voice" : "audio-file");
            if (m.TryGetProperty("referral", out _))
                seen.Add("referral");
            if (m.TryGetProperty("context", out var context))
                seen.Add(context.TryGetProperty("id", out _) ? "reply" : "forward");
        }
        foreach (var (_, s) in traffic.Statuses())
            seen.Add("status:" + s.GetProperty("status").GetString());
        foreach (var doc in traffic.Documents)
            seen.Add("field:" + GeneratedTraffic.Field(doc));

        string[] expected =
        [
            "text", "image", "audio", "voice", "audio-file", "video", "document", "sticker", "location", "contacts",
            "interactive", "button_reply", "list_reply", "button", "reaction", "order", "referral", "system",
            "unsupported", "edit", "revoke", "reply", "forward", "status:sent", "status:delivered", "status:read",
            "status:failed", "field:messages", "field:smb_message_echoes", "field:user_preferences",
        ];
        Assert.All(expected, e => Assert.Contains(e, seen));
    }

    [Fact]
    public void Duplicates_are_byte_identical_to_an_earlier_body()
    {
        var earlier = new HashSet<string>();
        int duplicates = 0;
        foreach (var webhook in traffic.Webhooks)
        {
            string key = Convert.ToBase64String(webhook.Body);
            if (webhook.IsDuplicateDelivery)
            {
                duplicates++;
                Assert.Contains(key, earlier);
            }
            earlier.Add(key);
        }
        Assert.InRange(duplicates, 40, 200); // 5% of 2,000, loosely
    }

    [Fact]
    public void Message_ids_are_unique_except_in_duplicates_and_match_the_body()
    {
        var ids = new HashSet<string>();
        for (int i = 0; i < traffic.Webhooks.Count; i++)
        {
            var webhook = traffic.Webhooks[i];
            var value = GeneratedTraffic.Value(traffic.Documents[i]);
            var inBody = new[] { "messages", "message_echoes" }
                .Where(a => value.TryGetProperty(a, out _))
                .SelectMany(a => value.GetProperty(a).EnumerateArray().Select(m => m.GetProperty("id").GetString()!))
                .ToList();
            Assert.Equal(inBody, webhook.MessageIds);
            if (webhook.IsDuplicateDelivery)
                continue;
            foreach (string id in webhook.MessageIds)
            {
                Assert.StartsWith("wamid.", id);
                Assert.True(ids.Add(id), $"duplicate id {id}");
            }
        }
    }

    [Fact]
    public void Some_statuses_overtake_their_echo_and_some_reads_overtake_delivered()
    {
        var echoIndex = new Dictionary<string, int>();
        for (int i = 0; i < traffic.Webhooks.Count; i++)
        {
            if (traffic.Webhooks[i].Kind.StartsWith("message_echoes") && !traffic.Webhooks[i].IsDuplicateDelivery)
                echoIndex[traffic.Webhooks[i].MessageIds[0]] = i;
        }
        var statuses = traffic.Statuses().Select(x => (x.Index, Id: x.Status.GetProperty("id").GetString()!, State: x.Status.GetProperty("status").GetString()!)).ToList();
        Assert.All(statuses, s => Assert.Contains(s.Id, (IDictionary<string, int>)echoIndex)); // every status is about a known echo
        Assert.Contains(statuses, s => s.Index < echoIndex[s.Id]);
        Assert.Contains(statuses, s => s.State == "read" &&
            statuses.Any(d => d.Id == s.Id && d.State == "delivered" && d.Index > s.Index));
        // Arrival order is disturbed, event time is not: delivered never carries a later timestamp than read.
        var byId = traffic.Statuses().GroupBy(x => x.Status.GetProperty("id").GetString()!);
        foreach (var group in byId)
        {
            long Ts(string state) => group.Where(x => x.Status.GetProperty("status").GetString() == state)
                .Select(x => long.Parse(x.Status.GetProperty("timestamp").GetString()!)).DefaultIfEmpty(long.MaxValue).First();
            if (Ts("read") != long.MaxValue && Ts("delivered") != long.MaxValue)
                Assert.True(Ts("delivered") <= Ts("read"));
        }
    }

    [Fact]
    public void Username_only_senders_have_no_phone_anywhere()
    {
        var usernameOnly = traffic.InboundMessages().Where(x => !x.Message.TryGetProperty("from", out _)).ToList();
        Assert.NotEmpty(usernameOnly);
        foreach (var (index, message) in usernameOnly)
        {
            Assert.Matches(@"^[A-Z]{2}\.[0-9]{19}$", message.GetProperty("from_user_id").GetString()!);
            var value = GeneratedTraffic.Value(traffic.Documents[index]);
            if (!value.TryGetProperty("contacts", out var contacts))
                continue;
            var contact = contacts[0];
            Assert.False(contact.TryGetProperty("wa_id", out _));
            Assert.Equal(message.GetProperty("from_user_id").GetString(), contact.GetProperty("user_id").GetString());
            Assert.StartsWith("@", contact.GetProperty("profile").GetProperty("username").GetString());
        }
        Assert.Contains(traffic.InboundMessages(), x => x.Message.TryGetProperty("from", out _) && x.Message.TryGetProperty("from_user_id", out _));
    }

    [Fact]
    public void Timestamps_increase_per_sender()
    {
        var last = new Dictionary<string, long>();
        foreach (var (_, m) in traffic.InboundMessages())
        {
            string sender = m.TryGetProperty("from", out var from) ? from.GetString()! : m.GetProperty("from_user_id").GetString()!;
            long ts = long.Parse(m.GetProperty("timestamp").GetString()!);
            if (last.TryGetValue(sender, out long previous))
                Assert.True(ts > previous, $"{sender}: {ts} after {previous}");
            last[sender] = ts;
        }
    }

    [Fact]
    public void Text_with_any_characters_is_escaped_into_valid_json()
    {
        // Names and texts include quotes, umlauts, emoji and newlines; JsonDocument.Parse in the fixture already proved
        // validity, so here check that such text survives the round trip.
        var names = traffic.Documents.Select(GeneratedTraffic.Value)
            .Where(v => v.TryGetProperty("contacts", out _))
            .Select(v => v.GetProperty("contacts")[0].GetProperty("profile").GetProperty("name").GetString())
            .ToHashSet();
        Assert.Contains(names, n => n!.Any(c => c > 127));
    }
}
