using System.Text;
using System.Text.Json;
using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>The request bodies of section 6, one per kind, compared as JSON rather than as text.</summary>
public class GraphMessageJsonTests
{
    private const string To = "5511987654321";

    [Fact]
    public void Build_Text_WritesBodyAndPreviewFlag() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321",
             "type":"text","text":{"body":"Hello Ana","preview_url":false}}
            """, GraphMessageJson.Build(To, OutboundContent.PlainText("Hello Ana"), null));

    [Fact]
    public void Build_TextWithPreviewQuoteAndCallback_WritesContextAndCallback() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321",
             "context":{"message_id":"wamid.QUOTED"},"biz_opaque_callback_data":"outbox:42",
             "type":"text","text":{"body":"See https://example.com","preview_url":true}}
            """, GraphMessageJson.Build(To,
            OutboundContent.PlainText("See https://example.com") with { PreviewUrl = true, QuotedMessageId = "wamid.QUOTED" },
            "outbox:42"));

    [Fact]
    public void Build_TemplateWithParameters_WritesBodyComponentInOrder() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"template",
             "template":{"name":"order_update","language":{"code":"en_US"},
               "components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"#42"}]}]}}
            """, GraphMessageJson.Build(To, OutboundContent.Template("order_update", "en_US", "Ana", "#42"), null));

    [Fact]
    public void Build_TemplateWithoutParameters_OmitsComponents() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"template",
             "template":{"name":"hello_world","language":{"code":"en_US"}}}
            """, GraphMessageJson.Build(To, OutboundContent.Template("hello_world", "en_US"), null));

    [Fact]
    public void Build_ReplyButtons_WritesInteractiveButton() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"interactive",
             "interactive":{"type":"button","body":{"text":"Was this helpful?"},
               "action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}},
                                    {"type":"reply","reply":{"id":"no","title":"No"}}]}}}
            """, GraphMessageJson.Build(To,
            OutboundContent.ReplyButtons("Was this helpful?", new OutboundButton("yes", "Yes"), new OutboundButton("no", "No")), null));

    [Fact]
    public void Build_List_WritesSectionsRowsAndOptionalDescription() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"interactive",
             "interactive":{"type":"list","body":{"text":"Pick a slot"},
               "action":{"button":"Slots","sections":[
                 {"title":"Monday","rows":[{"id":"mon-9","title":"9:00","description":"Dr. Silva"},{"id":"mon-10","title":"10:00"}]},
                 {"title":"Tuesday","rows":[{"id":"tue-9","title":"9:00"}]}]}}}
            """, GraphMessageJson.Build(To,
            OutboundContent.List("Pick a slot", "Slots",
                new OutboundSection("Monday", [new("mon-9", "9:00", "Dr. Silva"), new("mon-10", "10:00")]),
                new OutboundSection("Tuesday", [new("tue-9", "9:00")])), null));

    [Fact]
    public void Build_Reaction_WritesMessageIdAndEmoji() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"reaction",
             "reaction":{"message_id":"wamid.ABC","emoji":"👍"}}
            """, GraphMessageJson.Build(To, OutboundContent.Reaction("wamid.ABC", "👍"), null));

    [Fact]
    public void Build_ReactionRemoval_KeepsEmptyEmoji() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","recipient_type":"individual","to":"5511987654321","type":"reaction",
             "reaction":{"message_id":"wamid.ABC","emoji":""}}
            """, GraphMessageJson.Build(To, OutboundContent.Reaction("wamid.ABC", ""), null));

    [Fact]
    public void Build_MarkRead_HasNoRecipientTypeOrCallback() =>
        JsonAssert.Equivalent("""
            {"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}
            """, GraphMessageJson.Build(To, OutboundContent.MarkRead("wamid.IN"), "outbox:7"));

    [Theory]
    [InlineData("+55 11 98765-4321", "5511987654321")]
    [InlineData("+5511987654321", "5511987654321")]
    [InlineData("(555) 010-0199", "5550100199")]
    [InlineData("5511987654321", "5511987654321")]
    [InlineData("\u0665\u0665 12", "12")] // Arabic-Indic digits are not ASCII digits and must not pass through
    public void Build_Recipient_KeepsAsciiDigitsOnly(string given, string expected)
    {
        using JsonDocument body = JsonDocument.Parse(GraphMessageJson.Build(given, OutboundContent.PlainText("hi"), null));
        Assert.Equal(expected, body.RootElement.GetProperty("to").GetString());
    }

    [Theory]
    [InlineData("US.13491208655302741918")]
    [InlineData("BR.ENT.98765432101234")]
    [InlineData(" DE.5566778899 ")]
    public void Build_BusinessScopedUserId_IsSentAsRecipient(string bsuid)
    {
        using JsonDocument body = JsonDocument.Parse(GraphMessageJson.Build(bsuid, OutboundContent.PlainText("hi"), null));
        Assert.Equal(bsuid.Trim(), body.RootElement.GetProperty("recipient").GetString());
        Assert.False(body.RootElement.TryGetProperty("to", out _));
    }

    [Theory]
    [InlineData("US.1349", true)]
    [InlineData("BR.ENT.9876", true)]
    [InlineData("+4917012345678", false)]
    [InlineData("4917012345678", false)]
    [InlineData("us.1349", false)]
    [InlineData("US1349", false)]
    [InlineData("US.", false)]
    [InlineData("US.12 34", false)]
    [InlineData("abc", false)]
    public void IsBusinessScopedUserId_TellsIdsFromNumbers(string recipient, bool expected) =>
        Assert.Equal(expected, GraphMessageJson.IsBusinessScopedUserId(recipient));

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("abc")]
    public void Build_RecipientWithoutDigits_Throws(string to) =>
        Assert.Throws<ArgumentException>(() => GraphMessageJson.Build(to, OutboundContent.PlainText("hi"), null));

    [Theory]
    [InlineData("say \"hi\"\\ there")]
    [InlineData("line one\nline two\r\n\ttabbed")]
    [InlineData("👍🏽 café 日本語 שלום")]
    [InlineData("</script><script>alert('x')</script> & <b>")]
    [InlineData("\u0000\u001f\u2028\u2029")]
    public void Build_AwkwardText_SurvivesEscapingExactly(string text)
    {
        byte[] bytes = GraphMessageJson.Build(To, OutboundContent.PlainText(text) with { QuotedMessageId = text }, text);
        using JsonDocument body = JsonDocument.Parse(bytes);
        Assert.Equal(text, body.RootElement.GetProperty("text").GetProperty("body").GetString());
        Assert.Equal(text, body.RootElement.GetProperty("context").GetProperty("message_id").GetString());
        Assert.Equal(text, body.RootElement.GetProperty("biz_opaque_callback_data").GetString());
    }

    [Fact]
    public void Build_HtmlInText_IsNotWrittenLiterally()
    {
        string raw = Encoding.UTF8.GetString(GraphMessageJson.Build(To, OutboundContent.PlainText("</script>"), null));
        Assert.DoesNotContain("</script>", raw);
        Assert.DoesNotContain("<", raw);
    }

    [Fact]
    public void Build_TextInEveryField_SurvivesEscaping()
    {
        const string nasty = "\"}]\n👍</script>";
        byte[] bytes = GraphMessageJson.Build(To, OutboundContent.List(nasty, "Go\"", new OutboundSection(nasty, [new(nasty, "t\"", nasty)])), null);
        using JsonDocument body = JsonDocument.Parse(bytes);
        JsonElement interactive = body.RootElement.GetProperty("interactive");
        JsonElement row = interactive.GetProperty("action").GetProperty("sections")[0].GetProperty("rows")[0];
        Assert.Equal(nasty, interactive.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal("Go\"", interactive.GetProperty("action").GetProperty("button").GetString());
        Assert.Equal(nasty, row.GetProperty("id").GetString());
        Assert.Equal(nasty, row.GetProperty("description").GetString());
    }

    [Fact]
    public void Build_CallbackDataOf512Bytes_IsAccepted()
    {
        string data = new string('x', 510) + "é"; // 510 + 2 bytes
        using JsonDocument body = JsonDocument.Parse(GraphMessageJson.Build(To, OutboundContent.PlainText("hi"), data));
        Assert.Equal(data, body.RootElement.GetProperty("biz_opaque_callback_data").GetString());
    }

    [Theory]
    [InlineData(513, "")]
    [InlineData(511, "é")] // 511 characters but 513 bytes: the limit is in bytes
    public void Build_CallbackDataOver512Bytes_Throws(int asciiCount, string tail)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GraphMessageJson.Build(To, OutboundContent.PlainText("hi"), new string('x', asciiCount) + tail));
        Assert.Equal("callbackData", e.ParamName);
    }

    [Fact]
    public void Build_NoCallbackOrQuote_OmitsThoseFields()
    {
        using JsonDocument body = JsonDocument.Parse(GraphMessageJson.Build(To, OutboundContent.PlainText("hi"), null));
        Assert.False(body.RootElement.TryGetProperty("context", out _));
        Assert.False(body.RootElement.TryGetProperty("biz_opaque_callback_data", out _));
    }

    [Fact]
    public void Build_InvalidContent_ThrowsWithTheProblems()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GraphMessageJson.Build(To, OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A"), new OutboundButton("a", "B")), null));
        Assert.Contains("used more than once", e.Message);
    }
}
