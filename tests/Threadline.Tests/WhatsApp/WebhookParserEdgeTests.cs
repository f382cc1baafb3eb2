using System.Text;
using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks;
using static Threadline.Tests.WhatsApp.WebhookBodies;

namespace Threadline.Tests.WhatsApp;

/// <summary>Shapes the corpus does not show: BSUID-only users, numeric timestamps, several items per body, types and
/// fields from the future, malformed items and bodies that are not webhooks at all.</summary>
public class WebhookParserEdgeTests
{
    private static WebhookBatch Ok(byte[] body)
    {
        WebhookParseResult result = WebhookParser.Parse(body);
        Assert.True(result.IsSuccess, result.Error);
        return result.Batch!;
    }

    private static WaMessage OneMessageOf(string messageJson) => Assert.Single(Ok(OneMessage(messageJson)).Messages);

    [Fact]
    public void Bsuid_only_user_without_wa_id_or_from()
    {
        WebhookBatch batch = Ok(MessagesValue("""
            "contacts":[{"profile":{"name":"Ana","username":"@ana"},"user_id":"BR.1234","parent_user_id":"BR.ENT.9"}],
            "messages":[{"from_user_id":"BR.1234","id":"wamid.B1","timestamp":"1749416383","type":"text","text":{"body":"Oi"}}]
            """));

        WaMessage m = Assert.Single(batch.Messages);
        Assert.Null(m.WaId);
        Assert.Equal("BR.1234", m.UserId);
        Assert.Equal("Oi", m.Text);
        Assert.Equal(new WhatsAppUser(null, "BR.1234", "BR.ENT.9", "@ana", "Ana"), Assert.Single(batch.Users));
    }

    [Fact]
    public void User_id_comes_from_the_only_contact_when_from_user_id_is_absent_and_no_wa_id_contradicts()
    {
        WaMessage m = Assert.Single(Ok(MessagesValue("""
            "contacts":[{"profile":{"name":"Ana"},"user_id":"BR.77"}],
            "messages":[{"id":"wamid.B2","timestamp":"1749416383","type":"text","text":{"body":"x"}}]
            """)).Messages);
        Assert.Equal("BR.77", m.UserId);
    }

    [Fact]
    public void User_id_comes_from_the_contact_whose_wa_id_matches_from()
    {
        WaMessage m = Assert.Single(Ok(MessagesValue("""
            "contacts":[{"wa_id":"111","user_id":"US.1"},{"wa_id":"222","user_id":"US.2"}],
            "messages":[{"from":"222","id":"wamid.B3","timestamp":"1749416383","type":"text","text":{"body":"x"}}]
            """)).Messages);
        Assert.Equal("US.2", m.UserId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Timestamp_as_string_or_number(bool asNumber)
    {
        WaMessage m = Assert.Single(Ok(TextMessage("wamid.T", "hi", 1749416383, asNumber)).Messages);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1749416383), m.Timestamp);
    }

    [Theory]
    [InlineData("\"timestamp\":\"soon\",")]
    [InlineData("\"timestamp\":{},")]
    [InlineData("\"timestamp\":\"99999999999999999999\",")]
    [InlineData("")]
    public void Message_without_usable_timestamp_is_kept_as_invalid_message(string timestampMember)
    {
        WebhookBatch batch = Ok(OneMessage($$$"""{"from":"1",{{{timestampMember}}}"id":"wamid.NT","type":"text","text":{"body":"x"}}"""));
        Assert.Empty(batch.Messages);
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(("messages", WebhookEventKinds.InvalidMessage, "WABA1"), (e.Field, e.Kind, e.WabaId));
        Assert.Contains("wamid.NT", e.RawJson);
    }

    [Theory]
    [InlineData("""{"from":"1","timestamp":"1700000000","type":"text","text":{"body":"no id"}}""")]
    [InlineData("""{"from":"1","id":"","timestamp":"1700000000","type":"text","text":{"body":"no id"}}""")]
    [InlineData("""{"from":"1","id":"wamid.X","timestamp":"1700000000","type":"text","text":"not an object"}""")]
    [InlineData("\"a string, not a message\"")]
    [InlineData("null")]
    public void Message_without_id_or_with_wrong_shape_is_kept_as_invalid_message(string messageJson)
    {
        WebhookBatch batch = Ok(OneMessage(messageJson));
        Assert.Empty(batch.Messages);
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(WebhookEventKinds.InvalidMessage, e.Kind);
        Assert.Equal(messageJson, e.RawJson);
    }

    [Fact]
    public void One_bad_message_does_not_cost_its_neighbours()
    {
        WebhookBatch batch = Ok(MessagesValue("""
            "messages":[
              {"from":"1","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"a"}},
              {"from":"1","timestamp":"1700000001","type":"text","text":{"body":"no id"}},
              {"from":"1","id":"wamid.C","timestamp":"1700000002","type":"text","text":{"body":"c"}}]
            """));
        Assert.Equal(["wamid.A", "wamid.C"], batch.Messages.Select(m => m.WaMessageId));
        Assert.Equal(WebhookEventKinds.InvalidMessage, Assert.Single(batch.Events).Kind);
    }

    [Fact]
    public void Multiple_entries_changes_messages_and_statuses_are_all_returned()
    {
        byte[] body = Utf8("""
            {"object":"whatsapp_business_account","entry":[
              {"id":"W1","changes":[
                {"field":"messages","value":{"metadata":{"phone_number_id":"P1"},"messages":[
                  {"from":"1","id":"m1","timestamp":"1700000001","type":"text","text":{"body":"one"}},
                  {"from":"1","id":"m2","timestamp":"1700000002","type":"text","text":{"body":"two"}}],
                  "statuses":[{"id":"s1","status":"delivered","timestamp":"1700000003","recipient_id":"1"},
                              {"id":"s1","status":"read","timestamp":"1700000004","recipient_id":"1"}]}},
                {"field":"messages","value":{"metadata":{"phone_number_id":"P2"},"messages":[
                  {"from":"2","id":"m3","timestamp":"1700000005","type":"text","text":{"body":"three"}}]}}]},
              {"id":"W2","changes":[
                {"field":"message_template_quality_update","value":{"new_quality_score":"RED"}},
                {"field":"messages","value":{"metadata":{"phone_number_id":"P3"},"messages":[
                  {"from":"3","id":"m4","timestamp":"1700000006","type":"text","text":{"body":"four"}}]}}]}]}
            """);
        WebhookBatch batch = Ok(body);
        Assert.Equal(["m1", "m2", "m3", "m4"], batch.Messages.Select(m => m.WaMessageId));
        Assert.Equal(["P1", "P1", "P2", "P3"], batch.Messages.Select(m => m.BusinessPhoneNumberId));
        Assert.Equal(["delivered", "read"], batch.Statuses.Select(s => s.Status));
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(("message_template_quality_update", "W2"), (e.Kind, e.WabaId));
    }

    [Fact]
    public void Unknown_message_type_is_kept_with_its_raw_json()
    {
        const string json = """{"from":"1","id":"wamid.H","timestamp":"1700000000","type":"hologram","hologram":{"depth":3}}""";
        WaMessage m = OneMessageOf(json);
        Assert.Equal("hologram", m.Type);
        Assert.Null(m.Text);
        Assert.Equal(json, m.RawJson);
    }

    [Fact]
    public void Missing_type_is_unknown()
    {
        Assert.Equal("unknown", OneMessageOf("""{"from":"1","id":"wamid.U","timestamp":"1700000000"}""").Type);
    }

    [Fact]
    public void Unknown_interactive_inner_type_keeps_its_name_and_object()
    {
        WaMessage m = OneMessageOf("""
            {"from":"1","id":"wamid.I","timestamp":"1700000000","type":"interactive",
             "interactive":{"type":"carousel_reply","carousel_reply":{"card":2,"id":"c2"}}}
            """);
        Assert.Equal("carousel_reply", m.Interactive!.Kind);
        Assert.Equal("""{"card":2,"id":"c2"}""", m.Interactive.Payload);
    }

    [Fact]
    public void Product_enquiry_context_names_the_referred_product()
    {
        WaMessage m = OneMessageOf("""
            {"from":"1","id":"wamid.P","timestamp":"1700000000","type":"text","text":{"body":"price?"},
             "context":{"from":"15550001111","id":"wamid.cat","referred_product":{"catalog_id":"C1","product_retailer_id":"SKU-9"}}}
            """);
        Assert.Equal("SKU-9", m.ReferredProductId);
        Assert.Equal("wamid.cat", m.ReplyToMessageId);
    }

    [Fact]
    public void System_user_id_change_names_the_new_bsuid()
    {
        WaMessage m = OneMessageOf("""
            {"from_user_id":"US.OLD","id":"wamid.S","timestamp":"1700000000","type":"system",
             "system":{"body":"changed","type":"user_changed_user_id","user_id":"US.NEW"}}
            """);
        Assert.Equal(new SystemChange("user_changed_user_id", "changed", null, "US.NEW"), m.System);
        Assert.Equal("US.OLD", m.UserId);
    }

    [Fact]
    public void Order_prices_as_decimals_or_strings_and_ids_as_numbers()
    {
        WaMessage m = OneMessageOf("""
            {"from":5511999,"id":"wamid.O","timestamp":1700000000,"type":"order",
             "order":{"catalog_id":354160437058781,"text":"for tonight","product_items":[
               {"product_retailer_id":"A","quantity":1,"item_price":12.5,"currency":"EUR"},
               {"product_retailer_id":"B","quantity":"2","item_price":"0.99","currency":"EUR"}]}}
            """);
        Assert.Equal("5511999", m.WaId);
        Assert.Equal("354160437058781", m.Order!.CatalogId);
        Assert.Equal("for tonight", m.Text);
        Assert.Equal([new OrderItem("A", 1, 12.5m, "EUR"), new OrderItem("B", 2, 0.99m, "EUR")], m.Order.Items);
    }

    [Fact]
    public void Echo_edit_of_an_image_maps_the_new_caption_and_media()
    {
        byte[] body = Utf8("""
            {"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"smb_message_echoes","value":{
              "metadata":{"phone_number_id":"P"},
              "message_echoes":[{"from":"15550001111","to":"5511","to_user_id":"BR.5","id":"wamid.E","timestamp":"1700000000",
                "type":"edit","edit":{"original_message_id":"wamid.orig","message":{"type":"image","image":{"id":"M1","mime_type":"image/png","caption":"new caption"}}}}]}}]}]}
            """);
        WaMessage m = Assert.Single(Ok(body).Messages);
        Assert.Equal((MessageDirection.Outbound, SentBy.Human, "5511", "BR.5"), (m.Direction, m.SentBy, m.WaId, m.UserId));
        Assert.Equal(("wamid.orig", "image", "new caption"), (m.RefMessageId, m.EditedType, m.Text));
        Assert.Equal("image/png", m.Media!.MimeType);
    }

    [Fact]
    public void Status_without_id_is_kept_as_invalid_status_and_recipient_user_id_is_read()
    {
        WebhookBatch batch = Ok(MessagesValue("""
            "statuses":[{"status":"sent","timestamp":"1700000000"},
                        {"id":"wamid.S","status":"delivered","timestamp":"1700000000","recipient_user_id":"BR.9"}]
            """));
        Assert.Equal("BR.9", Assert.Single(batch.Statuses).RecipientUserId);
        Assert.Equal(WebhookEventKinds.InvalidStatus, Assert.Single(batch.Events).Kind);
    }

    [Fact]
    public void Unrecognized_value_member_is_reported_with_the_whole_value()
    {
        WebhookBatch batch = Ok(MessagesValue("""
            "messages":[{"from":"1","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"a"}}],
            "groups":[{"id":"g1"}]
            """));
        Assert.Single(batch.Messages);
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(WebhookEventKinds.UnrecognizedValue, e.Kind);
        Assert.Contains("\"groups\"", e.RawJson);
    }

    [Theory]
    [InlineData("\"not an object\"")]
    [InlineData("{\"messages\":{\"id\":\"x\"}}")]
    [InlineData("null")]
    public void Unreadable_value_of_a_known_field_is_an_invalid_value_event(string value)
    {
        byte[] body = Utf8($$"""{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{{value}}}]}]}""");
        BusinessEvent e = Assert.Single(Ok(body).Events);
        Assert.Equal((WebhookEventKinds.InvalidValue, value), (e.Kind, e.RawJson));
    }

    [Fact]
    public void Unknown_field_becomes_an_event_with_the_raw_value()
    {
        byte[] body = Utf8("""
            {"object":"whatsapp_business_account","entry":[{"id":"W9","time":1700000000,"changes":[
              {"field":"some_future_field","value":{"anything":[1,2,3]}},
              {"field":"another_future_field","value":{"event":"Something_Happened"}}]}]}
            """);
        WebhookBatch batch = Ok(body);
        Assert.Equal(2, batch.Events.Count);
        Assert.Equal(new BusinessEvent("some_future_field", "some_future_field", "W9", DateTimeOffset.FromUnixTimeSeconds(1700000000), """{"anything":[1,2,3]}"""), batch.Events[0]);
        Assert.Equal("something_happened", batch.Events[1].Kind);
    }

    [Fact]
    public void Unknown_object_is_one_event_with_the_whole_body()
    {
        const string json = """{"object":"instagram","entry":[{"id":"1","messaging":[]}]}""";
        WebhookBatch batch = Ok(Utf8(json));
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(("instagram", WebhookEventKinds.UnknownObject, json), (e.Field, e.Kind, e.RawJson));
        Assert.Empty(batch.Messages);
    }

    [Fact]
    public void Entry_without_changes_yields_an_empty_batch()
    {
        WebhookBatch batch = Ok(Utf8("""{"object":"whatsapp_business_account","entry":[{"id":"W"}]}"""));
        Assert.Empty(batch.Messages);
        Assert.Empty(batch.Events);
    }

    public static IEnumerable<object[]> BadBodies() =>
    [
        [""],
        ["   "],
        ["null"],
        ["[]"],
        ["42"],
        ["\"whatsapp\""],
        ["{"],
        ["{}"],
        ["{\"object\":5,\"entry\":[]}"],
        ["{\"object\":\"whatsapp_business_account\"}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":\"x\"}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":{}}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[1]}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":{}}]}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"W\",\"changes\":\"x\"}]}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"W\",\"changes\":[{\"value\":{}}]}]}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"W\",\"changes\":[7]}]}"],
        ["{\"object\":\"whatsapp_business_account\",\"entry\":[]} trailing"],
        [string.Concat(Enumerable.Repeat("[", 200))],
    ];

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void Bad_input_is_an_error_not_an_exception(string text)
    {
        WebhookParseResult result = WebhookParser.Parse(Encoding.UTF8.GetBytes(text));
        Assert.False(result.IsSuccess);
        Assert.Null(result.Batch);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void Not_json_error_says_where()
    {
        WebhookParseResult result = WebhookParser.Parse("{\"object\": nope}"u8);
        Assert.Contains("not valid JSON", result.Error);
        Assert.Matches(@"\(line 0, byte 1[12]\)", result.Error);
    }

    [Fact]
    public void Random_and_invalid_utf8_bytes_are_an_error_or_a_result_never_an_exception()
    {
        byte[][] bodies =
        [
            [0xFF, 0xFE, 0x00, 0x01],
            [0xEF, 0xBB, 0xBF], // BOM only
            Utf8("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"").Concat(new byte[] { 0xC3, 0x28 }).Concat(Utf8("\"}]}")).ToArray(),
            Utf8("{\"object\":\"").Concat(new byte[] { 0xFF }).Concat(Utf8("\",\"entry\":[]}")).ToArray(),
        ];
        foreach (byte[] body in bodies)
        {
            WebhookParseResult result = WebhookParser.Parse(body);
            Assert.True(result.IsSuccess ^ result.Error is not null);
        }
        Assert.False(WebhookParser.Parse(bodies[0]).IsSuccess);
    }
}
