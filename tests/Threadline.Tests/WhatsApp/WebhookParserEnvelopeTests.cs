using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks;
using static Threadline.Tests.WhatsApp.WebhookBodies;

namespace Threadline.Tests.WhatsApp;

/// <summary>
/// The envelope (entry, change, contact-facing value) is walked in place rather than deserialized; these pin down the
/// serializer's rules it keeps: every occurrence of a repeated member is checked and the last one counts, ids and fields
/// may be numbers, escaped member names are the names they spell, and text that is not UTF-8 makes its member unreadable.
/// </summary>
public class WebhookParserEnvelopeTests
{
    private static byte[] Body(string entries) => Utf8($$"""{"object":"whatsapp_business_account","entry":[{{entries}}]}""");

    private static WebhookBatch Ok(byte[] body)
    {
        WebhookParseResult result = WebhookParser.Parse(body);
        Assert.True(result.IsSuccess, result.Error);
        return result.Batch!;
    }

    [Fact]
    public void Repeated_entry_member_the_last_one_counts()
    {
        Assert.True(WebhookParser.Parse(Utf8("""{"object":"whatsapp_business_account","entry":5,"entry":[]}""")).IsSuccess);
        Assert.Contains("must be an array, but is a number",
            WebhookParser.Parse(Utf8("""{"object":"whatsapp_business_account","entry":[],"entry":5}""")).Error);
    }

    [Fact]
    public void Numeric_entry_id_and_field_are_kept_as_written()
    {
        BusinessEvent e = Assert.Single(Ok(Body("""{"id":12,"time":"1749416383","changes":[{"field":7,"value":{"event":"X"}}]}""")).Events);
        Assert.Equal(("7", "x", "12"), (e.Field, e.Kind, e.WabaId));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1749416383), e.OccurredAt);
    }

    [Fact]
    public void An_unreadable_earlier_occurrence_still_fails_the_entry()
    {
        Assert.Contains("entry[0] must be an object", WebhookParser.Parse(Body("""{"id":[],"id":"a","changes":[]}""")).Error);
        Assert.Contains("changes[0] must be an object with a \"field\"",
            WebhookParser.Parse(Body("""{"id":"a","changes":[{"field":{},"field":"x","value":{}}]}""")).Error);
    }

    [Fact]
    public void A_value_with_any_non_array_occurrence_of_a_known_array_is_invalid_as_a_whole()
    {
        BusinessEvent e = Assert.Single(Ok(MessagesValue(""" "messages":5,"messages":[] """)).Events);
        Assert.Equal(WebhookEventKinds.InvalidValue, e.Kind);
    }

    [Fact]
    public void Escaped_member_names_are_the_names_they_spell()
    {
        WebhookBatch batch = Ok(MessagesValue("""
            "metadata":{"phone_number_id":5},"m\u0065ssages":[{"id":"wamid.E1","timestamp":"5","type":"text","text":{"body":"hi"}}]
            """));
        WaMessage m = Assert.Single(batch.Messages);
        Assert.Equal(("wamid.E1", "5", "hi"), (m.WaMessageId, m.BusinessPhoneNumberId, m.Text));
        Assert.Empty(batch.Events);
    }

    [Fact]
    public void Repeated_event_member_the_last_one_names_the_kind()
    {
        Assert.Equal("ban", Assert.Single(Ok(Body("""{"id":"a","changes":[{"field":"account_update","value":{"event":5,"event":"BAN"}}]}""")).Events).Kind);
        Assert.Equal("account_update", Assert.Single(Ok(Body("""{"id":"a","changes":[{"field":"account_update","value":{"event":"BAN","event":5}}]}""")).Events).Kind);
    }

    [Fact]
    public void Entry_time_that_is_not_utf8_fails_the_entry_like_any_unreadable_member()
    {
        byte[] body = [.. Utf8("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"a\",\"time\":\"1"), 0xFF, .. Utf8("\",\"changes\":[]}]}")];
        Assert.Contains("entry[0] must be an object", WebhookParser.Parse(body).Error);
    }
}
