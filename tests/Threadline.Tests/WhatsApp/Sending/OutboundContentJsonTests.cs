using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>The outbox form: what is written is what is read back, and a corrupt row fails loudly.</summary>
public class OutboundContentJsonTests
{
    /// <summary>Well-formed text of any shape: ASCII with quotes and controls, BMP letters, emoji (astral pairs).</summary>
    private static Gen<string> Text()
    {
        Gen<string> piece = Gen.OneOf(
            Gen.Choose(0x00, 0x7F).Select(c => ((char)c).ToString()),
            Gen.Elements("\"", "\\", "\n", "</script>", "é", "日", "ש", "\u2028"),
            Gen.Choose(0x1F300, 0x1FAFF).Select(char.ConvertFromUtf32));
        return Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(piece, n)).Select(string.Concat);
    }

    private static Gen<string?> Maybe(Gen<string> gen) => Gen.OneOf(Gen.Constant<string?>(null), gen.Select(s => (string?)s));

    private static Gen<IReadOnlyList<T>?> MaybeList<T>(Gen<T> item) =>
        Gen.OneOf(
            Gen.Constant<IReadOnlyList<T>?>(null),
            Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(item, n)).Select(a => (IReadOnlyList<T>?)a));

    private static Gen<OutboundContent> Content()
    {
        Gen<OutboundButton> button = Text().SelectMany(id => Text().Select(title => new OutboundButton(id, title)));
        Gen<OutboundRow> row =
            from id in Text()
            from title in Text()
            from description in Maybe(Text())
            select new OutboundRow(id, title, description);
        Gen<OutboundSection> section =
            from title in Text()
            from rows in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(row, n))
            select new OutboundSection(title, rows);

        return
            from kind in Gen.Elements(OutboundKinds.All.ToArray())
            from text in Maybe(Text())
            from preview in ArbMap.Default.GeneratorFor<bool>()
            from templateName in Maybe(Text())
            from templateLanguage in Maybe(Text())
            from parameters in MaybeList(Text())
            from buttons in MaybeList(button)
            from listButton in Maybe(Text())
            from sections in MaybeList(section)
            from reactTo in Maybe(Text())
            from emoji in Maybe(Text())
            from read in Maybe(Text())
            from quoted in Maybe(Text())
            select new OutboundContent(kind)
            {
                Text = text,
                PreviewUrl = preview,
                TemplateName = templateName,
                TemplateLanguage = templateLanguage,
                TemplateParameters = parameters,
                Buttons = buttons,
                ListButton = listButton,
                Sections = sections,
                ReactToMessageId = reactTo,
                Emoji = emoji,
                ReadMessageId = read,
                QuotedMessageId = quoted,
            };
    }

    [Fact]
    public void RoundTrip_AnyContent_ReadsBackEqual() =>
        Prop.ForAll(Content().ToArbitrary(), content =>
                OutboundContentJson.Deserialize(OutboundContentJson.Serialize(content)).Equals(content))
            .QuickCheckThrowOnFailure();

    [Fact]
    public void RoundTrip_AnyContent_ValidationUnchanged() =>
        Prop.ForAll(Content().ToArbitrary(), content =>
                OutboundContentJson.Deserialize(OutboundContentJson.Serialize(content)).Validate().SequenceEqual(content.Validate()))
            .QuickCheckThrowOnFailure();

    /// <summary>Guards the property above against an equality that is too lenient to notice anything.</summary>
    [Fact]
    public void Equality_DifferentNestedRow_IsNotEqual()
    {
        OutboundContent a = OutboundContent.List("t", "b", new OutboundSection("s", [new("1", "one")]));
        OutboundContent b = OutboundContent.List("t", "b", new OutboundSection("s", [new("1", "one", "")]));
        Assert.NotEqual(a, b);
        Assert.Equal(a, OutboundContent.List("t", "b", new OutboundSection("s", [new("1", "one")])));
        Assert.NotEqual(OutboundContent.Template("x", "en"), OutboundContent.Template("x", "en") with { TemplateParameters = null });
    }

    private static readonly OutboundContent Full = new(OutboundKinds.List)
    {
        Text = "t", PreviewUrl = false, TemplateName = "n", TemplateLanguage = "l", TemplateParameters = ["p"],
        Buttons = [new("b", "B")], ListButton = "lb", Sections = [new("s", [new("r", "R", "d")])],
        ReactToMessageId = "m", Emoji = "e", ReadMessageId = "rm", QuotedMessageId = "q",
    };

    /// <summary>One change per field: equality must notice each, or the round-trip property would prove nothing.</summary>
    public static TheoryData<string> FieldNames() =>
        new(typeof(OutboundContent).GetProperties().Where(p => p.CanWrite).Select(p => p.Name));

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Equality_ChangeToAnyField_IsNotEqual(string field)
    {
        OutboundContent changed = field switch
        {
            nameof(OutboundContent.Kind) => Full with { Kind = OutboundKinds.Text },
            nameof(OutboundContent.Text) => Full with { Text = "other" },
            nameof(OutboundContent.PreviewUrl) => Full with { PreviewUrl = true },
            nameof(OutboundContent.TemplateName) => Full with { TemplateName = "other" },
            nameof(OutboundContent.TemplateLanguage) => Full with { TemplateLanguage = "other" },
            nameof(OutboundContent.TemplateParameters) => Full with { TemplateParameters = ["p", "p2"] },
            nameof(OutboundContent.Buttons) => Full with { Buttons = [new("b", "other")] },
            nameof(OutboundContent.ListButton) => Full with { ListButton = "other" },
            nameof(OutboundContent.Sections) => Full with { Sections = [new("s", [new("r", "R", "other")])] },
            nameof(OutboundContent.ReactToMessageId) => Full with { ReactToMessageId = "other" },
            nameof(OutboundContent.Emoji) => Full with { Emoji = "other" },
            nameof(OutboundContent.ReadMessageId) => Full with { ReadMessageId = "other" },
            nameof(OutboundContent.QuotedMessageId) => Full with { QuotedMessageId = "other" },
            _ => throw new InvalidOperationException($"New field {field}: add it here and to OutboundContent.Equals."),
        };
        Assert.NotEqual(Full, changed);
        Assert.Equal(Full, OutboundContentJson.Deserialize(OutboundContentJson.Serialize(Full)));
    }

    [Fact]
    public void Serialize_Buttons_UsesSnakeCaseAndLeavesNullsOut()
    {
        string json = OutboundContentJson.Serialize(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A")) with { QuotedMessageId = "wamid.Q" });
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(
            ["kind", "text", "preview_url", "buttons", "quoted_message_id"],
            document.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("buttons", document.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void Deserialize_StoredRow_ReadsEveryField()
    {
        OutboundContent content = OutboundContentJson.Deserialize("""
            {"kind":"list","text":"Pick","list_button":"Open","quoted_message_id":"wamid.Q","some_future_field":1,
             "sections":[{"title":"S","rows":[{"id":"r1","title":"One","description":"first"},{"id":"r2","title":"Two"}]}]}
            """);
        Assert.Equal(OutboundContent.List("Pick", "Open", new OutboundSection("S", [new("r1", "One", "first"), new("r2", "Two")]))
            with { QuotedMessageId = "wamid.Q" }, content);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not valid JSON")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"text":"hi"}""", "not valid JSON")] // kind is required
    [InlineData("""{"kind":null}""", "not valid JSON")]
    [InlineData("""{"kind":"video","text":"hi"}""", "unknown kind \"video\"")]
    [InlineData("""{"kind":"TEXT","text":"hi"}""", "unknown kind \"TEXT\"")]
    [InlineData("""{"kind":"text","text":42}""", "not valid JSON")]
    [InlineData("""{"kind":"buttons","buttons":[{"title":"A"}]}""", "not valid JSON")] // button id is required
    [InlineData("""{"kind":"buttons","buttons":[{"id":null,"title":"A"}]}""", "not valid JSON")]
    [InlineData("""{"kind":"buttons","buttons":[null]}""", "null item in buttons")]
    [InlineData("""{"kind":"template","template_parameters":["a",null]}""", "null item in template_parameters")]
    [InlineData("""{"kind":"list","sections":[{"title":"S","rows":[null]}]}""", "null item in sections[].rows")]
    [InlineData("""{"kind":"list","sections":[{"title":"S","rows":null}]}""", "not valid JSON")]
    public void Deserialize_CorruptRow_ThrowsFormatException(string json, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => OutboundContentJson.Deserialize(json));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}
