using NodaTime;
using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

/// <summary>Dates, times, zones and the day/month order decision.</summary>
public class ChatExportParserTimeTests
{
    private static ChatExport Parse(string text, bool? dayFirst = null, string zone = "Europe/Berlin") =>
        ChatExportParser.Parse(text, zone, dayFirst);

    [Fact]
    public void DayFirst_IsDecidedByALaterLine()
    {
        var export = Parse("01/02/2024, 10:00 - Alice: a\n05/02/2024, 10:00 - Alice: b\n13/02/2024, 10:00 - Alice: c", dayFirst: false);
        Assert.True(export.DayFirst);
        Assert.False(export.DateOrderAssumed);
        Assert.Equal([new LocalDate(2024, 2, 1), new LocalDate(2024, 2, 5), new LocalDate(2024, 2, 13)], export.Messages.Select(m => m.LocalTime.Date));
    }

    [Fact]
    public void MonthFirst_IsDecidedByALaterLine()
    {
        var export = Parse("01/02/24, 10:00 AM - Alice: a\n[02/13/24, 10:00:00 AM] Alice: b", dayFirst: true);
        Assert.False(export.DayFirst);
        Assert.False(export.DateOrderAssumed);
        Assert.Equal([new LocalDate(2024, 1, 2), new LocalDate(2024, 2, 13)], export.Messages.Select(m => m.LocalTime.Date));
    }

    [Theory]
    [InlineData(null, true, 2)]
    [InlineData(true, true, 2)]
    [InlineData(false, false, 1)]
    public void AmbiguousThroughout_UsesTheHint_AndSaysSo(bool? hint, bool dayFirst, int month)
    {
        var export = Parse("01/02/2024, 10:00 - Alice: a\n03/04/2024, 10:00 - Alice: b", hint);
        Assert.Equal(dayFirst, export.DayFirst);
        Assert.True(export.DateOrderAssumed);
        Assert.Equal(month, export.Messages[0].LocalTime.Month);
    }

    [Fact]
    public void AMistypedLine_DoesNotOverturnTheFile_AndIsReportedUnreadable()
    {
        // Two day-first votes against one month-first vote: the odd line's month 13 cannot exist.
        var export = Parse("13/01/2024, 10:00 - A: a\n14/01/2024, 10:00 - A: b\n01/13/2024, 10:00 - A: c\nstill c");
        Assert.True(export.DayFirst);
        Assert.Equal(2, export.Messages.Count);
        Assert.Equal([(3, true), (4, false)], export.Unreadable.Select(p => (p.Line, p.Reason.Contains("month 13"))));
        Assert.Equal("still c", export.Unreadable[1].Content);
    }

    [Theory]
    [InlineData("9:41 AM", 9)]
    [InlineData("9:41 am", 9)]
    [InlineData("9:41 a.m.", 9)]
    [InlineData("9:41 a. m.", 9)]
    [InlineData("9:41\u202Fp. m.", 21)]
    [InlineData("9:41\u00A0PM", 21)]
    [InlineData("9:41PM", 21)]
    [InlineData("12:41 AM", 0)]
    [InlineData("12:41 PM", 12)]
    [InlineData("09:41", 9)]
    [InlineData("21:41", 21)]
    public void Hours_In12And24HourClocks(string time, int hour)
    {
        foreach (var line in new[] { $"31/12/2024, {time} - Bob: hi", $"[31/12/2024, {time.Replace(":41", ":41:00")}] Bob: hi" })
        {
            var m = Assert.Single(Parse(line).Messages);
            Assert.Equal(new LocalDateTime(2024, 12, 31, hour, 41), m.LocalTime);
            Assert.Equal("hi", m.Text);
        }
    }

    [Theory]
    [InlineData("31/03/2024, 01:59 - A: x", "2024-03-31T01:59:00+01:00")]  // last minute of winter time
    [InlineData("31/03/2024, 02:30 - A: x", "2024-03-31T03:30:00+02:00")]  // inside the spring-forward gap: shifted forward
    [InlineData("31/03/2024, 03:00 - A: x", "2024-03-31T03:00:00+02:00")]
    [InlineData("27/10/2024, 02:30 - A: x", "2024-10-27T02:30:00+02:00")]  // the repeated hour: the earlier instant
    [InlineData("27/10/2024, 03:30 - A: x", "2024-10-27T03:30:00+01:00")]
    public void Instants_FollowTheZoneAcrossDstChanges(string line, string expected)
    {
        var m = Assert.Single(Parse(line, zone: "Europe/Berlin").Messages);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), m.At);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, m.At.Offset);
    }

    [Fact]
    public void SameLocalTime_IsADifferentInstantInAnotherZone()
    {
        const string line = "31/12/2024, 21:41 - A: x";
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 20, 41, 0, TimeSpan.Zero), Parse(line, zone: "Europe/Berlin").Messages[0].At.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 3, 41, 0, TimeSpan.Zero), Parse(line, zone: "America/Chicago").Messages[0].At.ToUniversalTime());
    }

    [Fact]
    public void UnknownZone_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChatExportParser.Parse("31/12/2024, 21:41 - A: x", "Mars/Olympus_Mons"));
        Assert.Throws<ArgumentException>(() => ChatExportParser.Parse("", "CEST"));
    }

    [Theory]
    [InlineData("32/01/2024, 10:00 - Bob: x", "day 32")]
    [InlineData("29/02/2023, 10:00 - Bob: x", "day 29")]
    [InlineData("31/12/2024, 25:00 - Bob: x", "hour 25")]
    [InlineData("31/12/2024, 10:61 - Bob: x", "minute 61")]
    [InlineData("31/12/2024, 13:00 PM - Bob: x", "hour 13")]
    [InlineData("31/12/2024, 10:00 vrm - Bob: x", "AM/PM")]
    [InlineData("31/12/202, 10:00 - Bob: x", "date")]
    [InlineData("[31/12/1850, 10:00:00] Bob: x", "year 1850")]
    public void UnreadableTimestamps_AreReportedWithTheirLineNumber(string bad, string reason)
    {
        var export = Parse($"31/12/2024, 09:00 - Bob: before\n{bad}\nmore of the bad one\n\n31/12/2024, 11:00 - Bob: after");
        Assert.Equal(["before", "after"], export.Messages.Select(m => m.Text));
        Assert.Equal([2, 3], export.Unreadable.Select(p => p.Line));
        Assert.Contains(reason, export.Unreadable[0].Reason);
        Assert.Equal(bad, export.Unreadable[0].Content);
        Assert.Equal(5, export.Messages[1].Line);
    }

    [Fact]
    public void LinesBeforeTheFirstTimestamp_AreUnreadable_BlankOnesIgnored()
    {
        var export = Parse("\uFEFFsome header\r\n\r\nanother\r\n31/12/2024, 21:41 - Alice: hi\r\n");
        Assert.Equal([(1, "some header"), (3, "another")], export.Unreadable.Select(p => (p.Line, p.Content)));
        Assert.All(export.Unreadable, p => Assert.Contains("before the first", p.Reason));
        Assert.Equal((4, "hi"), (export.Messages[0].Line, export.Messages[0].Text));
        Assert.Equal(4, export.Lines);
    }

    [Fact]
    public void ByteOrderMarkAndCrLf_AreTolerated()
    {
        var export = Parse("\uFEFF31/12/2024, 21:41 - Alice: one\r\ntwo\r\n31/12/2024, 21:42 - Bob: three\r\n");
        Assert.Empty(export.Unreadable);
        Assert.Equal(["one\ntwo", "three"], export.Messages.Select(m => m.Text));
    }
}
