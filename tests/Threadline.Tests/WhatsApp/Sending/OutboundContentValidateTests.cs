using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>Each limit and required field of section 6, at and just past the boundary.</summary>
public class OutboundContentValidateTests
{
    private static OutboundRow Row(int i, string? title = null) => new($"r{i}", title ?? $"Row {i}");

    private static OutboundSection Section(string title, int rows, int first = 0) =>
        new(title, [.. Enumerable.Range(first, rows).Select(i => Row(i))]);

    private static void Valid(OutboundContent content) => Assert.Empty(content.Validate());

    private static void Invalid(OutboundContent content, string fragment)
    {
        IReadOnlyList<string> problems = content.Validate();
        Assert.True(problems.Any(p => p.Contains(fragment, StringComparison.Ordinal)),
            $"expected a problem containing \"{fragment}\", got: [{string.Join(" | ", problems)}]");
    }

    public static TheoryData<OutboundContent> ValidContents() => new()
    {
        OutboundContent.PlainText("hi"),
        OutboundContent.PlainText(new string('a', 4096)),
        OutboundContent.PlainText("see https://example.com") with { PreviewUrl = true, QuotedMessageId = "wamid.Q" },
        OutboundContent.Template("hello_world", "en_US"),
        OutboundContent.Template("order_update", "pt_BR", "Ana", "#42"),
        OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A")),
        OutboundContent.ReplyButtons(new string('b', 1024), new OutboundButton("a", new string('t', 20)), new OutboundButton("b", "B"), new OutboundButton("c", "C")),
        OutboundContent.List("Pick", new string('l', 20), Section("S", 10)),
        OutboundContent.List("Pick", "Open", Section("S1", 4), Section("S2", 6, first: 4)),
        OutboundContent.List("Pick", "Open", new OutboundSection("S", [new("x", new string('r', 24), "any description")])),
        OutboundContent.Reaction("wamid.A", "👍"),
        OutboundContent.Reaction("wamid.A", ""),
        OutboundContent.MarkRead("wamid.A"),
    };

    [Theory]
    [MemberData(nameof(ValidContents))]
    public void Validate_ContentWithinLimits_HasNoProblems(OutboundContent content) => Valid(content);

    [Fact]
    public void Validate_UnknownKind_IsReported() => Invalid(new OutboundContent("video"), "Kind \"video\" is not one of");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n ")]
    public void Validate_TextWithoutBody_IsReported(string? text) =>
        Invalid(new OutboundContent(OutboundKinds.Text) { Text = text }, "A text message needs a Text body.");

    [Fact]
    public void Validate_TextOver4096_IsReported() =>
        Invalid(OutboundContent.PlainText(new string('a', 4097)), "4097 characters long; a text message allows at most 4096");

    [Fact]
    public void Validate_TextLengthCountsUtf16_SoEmojiCountTwice() =>
        Invalid(OutboundContent.PlainText(new string('a', 4095) + "👍"), "at most 4096");

    [Fact]
    public void Validate_ButtonsBodyOver1024_IsReported() =>
        Invalid(OutboundContent.ReplyButtons(new string('a', 1025), new OutboundButton("a", "A")), "allows at most 1024");

    [Fact]
    public void Validate_ListBodyOver1024_IsReported() =>
        Invalid(OutboundContent.List(new string('a', 1025), "Open", Section("S", 1)), "allows at most 1024");

    [Fact]
    public void Validate_ButtonsWithoutBody_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("", new OutboundButton("a", "A")), "A buttons message needs a Text body.");

    [Fact]
    public void Validate_ListWithoutBody_IsReported() =>
        Invalid(new OutboundContent(OutboundKinds.List) { ListButton = "Open", Sections = [Section("S", 1)] }, "A list message needs a Text body.");

    [Fact]
    public void Validate_TemplateWithoutName_IsReported() =>
        Invalid(OutboundContent.Template(" ", "en_US"), "needs a TemplateName");

    [Fact]
    public void Validate_TemplateWithoutLanguage_IsReported() =>
        Invalid(new OutboundContent(OutboundKinds.Template) { TemplateName = "x" }, "needs a TemplateLanguage");

    [Fact]
    public void Validate_TemplateWithEmptyParameter_NamesItsPlaceholder() =>
        Invalid(OutboundContent.Template("x", "en_US", "Ana", ""), "Template parameter 2 ({{2}}) is empty");

    [Fact]
    public void Validate_NoButtons_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick"), "needs 1 to 3 buttons, not 0");

    [Fact]
    public void Validate_FourButtons_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A"), new OutboundButton("b", "B"), new OutboundButton("c", "C"), new OutboundButton("d", "D")), "needs 1 to 3 buttons, not 4");

    [Fact]
    public void Validate_ButtonTitleOver20_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", new string('t', 21))), "Button 1 title");

    [Fact]
    public void Validate_ButtonWithoutTitle_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "")), "Button 1 needs a title.");

    [Fact]
    public void Validate_ButtonWithoutId_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A"), new OutboundButton("", "B")), "Button 2 needs an Id.");

    [Fact]
    public void Validate_DuplicateButtonIds_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("same", "A"), new OutboundButton("same", "B")), "Button id \"same\" is used more than once");

    [Fact]
    public void Validate_NullButton_IsReportedNotThrown() =>
        Invalid(OutboundContent.ReplyButtons("Pick", [null!]), "Button 1 is missing.");

    [Fact]
    public void Validate_ListButtonOver20_IsReported() =>
        Invalid(OutboundContent.List("Pick", new string('l', 21), Section("S", 1)), "ListButton title");

    [Fact]
    public void Validate_ListWithoutButtonLabel_IsReported() =>
        Invalid(new OutboundContent(OutboundKinds.List) { Text = "Pick", Sections = [Section("S", 1)] }, "ListButton needs a title.");

    [Fact]
    public void Validate_ListWithoutSections_IsReported() =>
        Invalid(OutboundContent.List("Pick", "Open"), "needs at least one section");

    [Fact]
    public void Validate_ListWithOnlyEmptySections_IsReported() =>
        Invalid(OutboundContent.List("Pick", "Open", Section("S", 0)), "needs at least one row");

    [Fact]
    public void Validate_ElevenRowsAcrossSections_IsReported() =>
        Invalid(OutboundContent.List("Pick", "Open", Section("S1", 5), Section("S2", 6, first: 5)), "has 11 rows; WhatsApp allows at most 10");

    [Fact]
    public void Validate_RowTitleOver24_IsReported() =>
        Invalid(OutboundContent.List("Pick", "Open", new OutboundSection("S", [Row(1, new string('r', 25))])), "Row 1 of section 1 title");

    [Fact]
    public void Validate_DuplicateRowIdsAcrossSections_IsReported() =>
        Invalid(OutboundContent.List("Pick", "Open", Section("S1", 1), Section("S2", 1)), "Row id \"r0\" is used more than once");

    [Fact]
    public void Validate_ReactionWithoutMessageId_IsReported() =>
        Invalid(OutboundContent.Reaction("", "👍"), "needs ReactToMessageId");

    [Fact]
    public void Validate_ReactionWithoutEmoji_IsReported() =>
        Invalid(new OutboundContent(OutboundKinds.Reaction) { ReactToMessageId = "wamid.A" }, "A reaction needs an Emoji");

    [Fact]
    public void Validate_ReadWithoutMessageId_IsReported() =>
        Invalid(new OutboundContent(OutboundKinds.Read), "needs ReadMessageId");

    [Fact]
    public void Validate_ReadQuotingAMessage_IsReported() =>
        Invalid(OutboundContent.MarkRead("wamid.A") with { QuotedMessageId = "wamid.B" }, "cannot quote");

    [Fact]
    public void Validate_EmptyQuote_IsReported() =>
        Invalid(OutboundContent.PlainText("hi") with { QuotedMessageId = "" }, "QuotedMessageId is empty");

    [Fact]
    public void Validate_FieldOfAnotherKind_IsReported() =>
        Invalid(OutboundContent.Template("x", "en_US") with { Text = "ignored" }, "Text is set but a template message does not use it.");

    [Fact]
    public void Validate_PreviewUrlOnButtons_IsReported() =>
        Invalid(OutboundContent.ReplyButtons("Pick", new OutboundButton("a", "A")) with { PreviewUrl = true }, "PreviewUrl is set");

    [Fact]
    public void Validate_HalfAnEmoji_IsReported() =>
        Invalid(OutboundContent.PlainText("cut here \uD83D"), "Text contains a broken character");

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        IReadOnlyList<string> problems = OutboundContent.ReplyButtons("", new OutboundButton("a", new string('t', 21)), new OutboundButton("a", "B")).Validate();
        Assert.Equal(3, problems.Count);
    }

    [Theory]
    [InlineData(OutboundKinds.Text, true)]
    [InlineData(OutboundKinds.Buttons, true)]
    [InlineData(OutboundKinds.List, true)]
    [InlineData(OutboundKinds.Reaction, true)]
    [InlineData(OutboundKinds.Template, false)]
    [InlineData(OutboundKinds.Read, false)]
    public void NeedsOpenWindow_OnlyTemplatesAndReadsGoOutsideTheWindow(string kind, bool expected) =>
        Assert.Equal(expected, new OutboundContent(kind).NeedsOpenWindow);
}
