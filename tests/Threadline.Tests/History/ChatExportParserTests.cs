using NodaTime;
using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

public class ChatExportParserTests
{
    private const string Lrm = "\u200E", Nnbsp = "\u202F";

    private static ChatExport Parse(string text, bool? dayFirst = null, string zone = "Europe/London") =>
        ChatExportParser.Parse(text, zone, dayFirst);

    private static ChatExportMessage Single(string text, bool? dayFirst = null) => Assert.Single(Parse(text, dayFirst).Messages);

    [Fact]
    public void Android_DayFirst_ReadsAuthorTextAndTime()
    {
        var export = Parse("31/12/2024, 21:41 - Alice Smith: Happy new year!");
        var m = Assert.Single(export.Messages);
        Assert.Equal((1, "Alice Smith", "text", "Happy new year!"), (m.Line, m.Author, m.Type, m.Text));
        Assert.Equal(new LocalDateTime(2024, 12, 31, 21, 41), m.LocalTime);
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 21, 41, 0, TimeSpan.Zero), m.At);
        Assert.Null(m.FileName);
        Assert.True(export.DayFirst);
        Assert.False(export.DateOrderAssumed);
        Assert.Equal(["Alice Smith"], export.Authors);
        Assert.Equal(1, export.Lines);
        Assert.Empty(export.Unreadable);
    }

    [Fact]
    public void Android_MonthFirst_TwelveHourWithNarrowNoBreakSpace()
    {
        var export = Parse($"12/31/24, 9:41{Nnbsp}PM - Alice Smith: Happy new year!");
        var m = Assert.Single(export.Messages);
        Assert.Equal(new LocalDateTime(2024, 12, 31, 21, 41), m.LocalTime);
        Assert.Equal("Happy new year!", m.Text);
        Assert.False(export.DayFirst);
        Assert.False(export.DateOrderAssumed);
    }

    [Fact]
    public void Ios_ReadsSecondsAndStripsMarks()
    {
        var export = Parse($"[31/12/2024, 21:41:09] Alice Smith: Happy new year!\n{Lrm}[31/12/2024, 21:42:10] Bob: {Lrm}image omitted");
        Assert.Equal(2, export.Messages.Count);
        Assert.Equal(new LocalDateTime(2024, 12, 31, 21, 41, 9), export.Messages[0].LocalTime);
        Assert.Equal("Happy new year!", export.Messages[0].Text);
        var image = export.Messages[1];
        Assert.Equal((2, "Bob", "image", (string?)null, (string?)null), (image.Line, image.Author, image.Type, image.Text, image.FileName));
        Assert.Equal(new LocalDateTime(2024, 12, 31, 21, 42, 10), image.LocalTime);
        Assert.Equal(["Alice Smith", "Bob"], export.Authors);
    }

    [Fact]
    public void Ios_PhoneNumberAuthorLosesItsEmbeddingMarks()
    {
        var m = Single("[31/12/2024, 21:41:09] \u202A+44 7700 900123\u202C: hello");
        Assert.Equal("+44 7700 900123", m.Author);
        Assert.Equal("hello", m.Text);
    }

    [Fact]
    public void MultiLineMessages_KeepNewlinesAndInnerBlankLines_DropTrailingBlanks()
    {
        var export = Parse("31/12/2024, 21:43 - Bob: first line\nsecond line of the same message\n\nafter a blank line\n\n  \n31/12/2024, 21:44 - Alice: next");
        Assert.Equal(2, export.Messages.Count);
        Assert.Equal("first line\nsecond line of the same message\n\nafter a blank line", export.Messages[0].Text);
        Assert.Equal(1, export.Messages[0].Line);
        Assert.Equal(7, export.Messages[1].Line);
        Assert.Equal(7, export.Lines);
    }

    [Fact]
    public void SystemLines_HaveNoAuthor()
    {
        var export = Parse(string.Join('\n',
            "31/12/2024, 21:40 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
            "31/12/2024, 21:44 - Alice Smith added +44 7700 900123",
            "31/12/2024, 21:45 - Alice Smith changed the subject from \"Plans: 2024\" to \"Plans: 2025\"",
            "31/12/2024, 21:46 - Bob: ok"));
        Assert.Equal(3, export.SystemLines.Count);
        Assert.Equal(new ChatExportSystemLine(2, new LocalDateTime(2024, 12, 31, 21, 44), "Alice Smith added +44 7700 900123"), export.SystemLines[1]);
        Assert.StartsWith("Alice Smith changed the subject", export.SystemLines[2].Text);
        Assert.Equal(["Bob"], export.Authors);
        Assert.Equal(4, Assert.Single(export.Messages).Line);
    }

    [Fact]
    public void Ios_NoticesWrittenUnderTheChatName_AreSystemLines()
    {
        var export = Parse(string.Join('\n',
            $"[31/12/2024, 21:41:09] Family: {Lrm}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
            $"{Lrm}[31/12/2024, 21:41:10] Family: {Lrm}Alice added Bob",
            $"[31/12/2024, 21:41:11] Bob: Alice added Bob")); // typed by a person: a message
        Assert.Equal([1, 2], export.SystemLines.Select(s => s.Line));
        Assert.Equal("Alice added Bob", export.SystemLines[1].Text);
        Assert.Equal(3, Assert.Single(export.Messages).Line);
    }

    [Theory]
    [InlineData("<Media omitted>", "media", null)]
    [InlineData("IMG-20241231-WA0003.jpg (file attached)", "image", "IMG-20241231-WA0003.jpg")]
    [InlineData("VID-20241231-WA0001.mp4 (file attached)", "video", "VID-20241231-WA0001.mp4")]
    [InlineData("PTT-20241231-WA0002.opus (file attached)", "audio", "PTT-20241231-WA0002.opus")]
    [InlineData("STK-20241231-WA0004.webp (file attached)", "sticker", "STK-20241231-WA0004.webp")]
    [InlineData("Quote 2025.pdf (file attached)", "document", "Quote 2025.pdf")]
    [InlineData("Bob Jones.vcf (file attached)", "contacts", "Bob Jones.vcf")]
    [InlineData("image omitted", "image", null)]
    [InlineData("\u200Evideo omitted", "video", null)]
    [InlineData("audio omitted", "audio", null)]
    [InlineData("sticker omitted", "sticker", null)]
    [InlineData("GIF omitted", "video", null)]
    [InlineData("document omitted", "document", null)]
    [InlineData("Report.pdf • 3 pages \u200Edocument omitted", "document", "Report.pdf")]
    [InlineData("Contact card omitted", "contacts", null)]
    [InlineData("<attached: 00000003-PHOTO-2024-12-31-21-42-10.jpg>", "image", "00000003-PHOTO-2024-12-31-21-42-10.jpg")]
    [InlineData("\u200E<attached: 00000004-AUDIO-2024-12-31-21-42-11.opus>", "audio", "00000004-AUDIO-2024-12-31-21-42-11.opus")]
    [InlineData("<Medien ausgeschlossen>", "media", null)]
    [InlineData("Bild weggelassen", "image", null)]
    [InlineData("IMG-20241231-WA0003.jpg (Datei angehängt)", "image", "IMG-20241231-WA0003.jpg")]
    [InlineData("This message was deleted", "revoke", null)]
    [InlineData("You deleted this message", "revoke", null)]
    [InlineData("\u200EThis message was deleted.", "revoke", null)]
    [InlineData("Diese Nachricht wurde gelöscht", "revoke", null)]
    [InlineData("Du hast diese Nachricht gelöscht", "revoke", null)]
    public void MediaAndDeletedPlaceholders_GetATypeAndNoText(string body, string type, string? file)
    {
        foreach (var line in new[] { $"31/12/2024, 21:42 - Bob: {body}", $"{Lrm}[31/12/2024, 21:42:10] Bob: {body}" })
        {
            var m = Single(line);
            Assert.Equal((type, (string?)null, file), (m.Type, m.Text, m.FileName));
        }
    }

    [Fact]
    public void AttachmentFollowedByLines_KeepsThemAsTheCaption()
    {
        var m = Single("31/12/2024, 21:42 - Bob: IMG-20241231-WA0003.jpg (file attached)\nThe view from here");
        Assert.Equal(("image", "The view from here", "IMG-20241231-WA0003.jpg"), (m.Type, m.Text, m.FileName));
    }

    [Fact]
    public void TextMentioningAPlaceholder_IsText()
    {
        var m = Single("31/12/2024, 21:42 - Bob: why was the image omitted from the report?");
        Assert.Equal(("text", "why was the image omitted from the report?"), (m.Type, m.Text));
    }

    [Fact]
    public void EditedMarker_IsRemovedFromTheText()
    {
        Assert.Equal("see you at 8", Single("31/12/2024, 21:42 - Bob: see you at 8 <This message was edited>").Text);
        Assert.Equal("see you at 9", Single($"[31/12/2024, 21:42:10] Bob: see you at 9 {Lrm}<This message was edited>").Text);
    }

    [Theory]
    [InlineData("31.12.2024 klo 21.41 - Alice: Hyvää uutta vuotta!", 0)]
    [InlineData("[31.12.2024 klo 21.41.09] Alice: Hyvää uutta vuotta!", 9)]
    public void Finnish_KloAndDottedTimes(string line, int second)
    {
        var m = Single(line);
        Assert.Equal(new LocalDateTime(2024, 12, 31, 21, 41, second), m.LocalTime);
        Assert.Equal(("Alice", "Hyvää uutta vuotta!"), (m.Author, m.Text));
    }

    [Theory]
    [InlineData("2019-01-02, 09:05 - Alice: hi", 0)]
    [InlineData("2019-01-02 09:05 - Alice: hi", 0)]
    [InlineData("[2019-01-02 09:05:07] Alice: hi", 7)]
    public void IsoDates_AreYearMonthDay_AndNeedNoOrderDecision(string line, int second)
    {
        foreach (var hint in new bool?[] { null, true, false })
        {
            var export = Parse(line, hint);
            Assert.Equal(new LocalDateTime(2019, 1, 2, 9, 5, second), Assert.Single(export.Messages).LocalTime);
            Assert.False(export.DateOrderAssumed);
        }
    }

    [Theory]
    [InlineData("31.12.24, 21:42 - Bob: hi", 2024, 12, 31)]
    [InlineData("05-06-07, 21:42 - Bob: hi", 2007, 6, 5)]
    [InlineData("1/2/99, 21:42 - Bob: hi", 2099, 2, 1)]
    public void TwoDigitYears_AreThisCentury(string line, int year, int month, int day) =>
        Assert.Equal(new LocalDate(year, month, day), Single(line).LocalTime.Date);
}
