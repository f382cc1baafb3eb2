using System.Text;
using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

/// <summary>A large export parses completely and exactly. (Speed is a benchmark's business, not a timed test's.)</summary>
public class ChatExportLargeFileTests
{
    [Fact]
    public void HundredThousandLines_AreAllAccountedFor()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 25_000; i++)
        {
            var minute = i % 60;
            sb.Append($"31/12/2024, 21:{minute:D2} - Alice Smith: message {i} with some words in it\n");
            sb.Append($"\u200E[31/12/2024, 9:{minute:D2}:10\u202FPM] Bob: \u200Eimage omitted\n");
            sb.Append("a continuation line that merely has text and 12/31 numbers 10:00 in it\n");
            sb.Append($"31/12/2024, 21:{minute:D2} - Alice Smith added +44 7700 900{i % 1000:D3}\n");
        }
        var text = sb.ToString();

        var export = ChatExportParser.Parse(text, "Europe/Berlin");

        Assert.Equal(100_000, export!.Lines);
        Assert.Equal(50_000, export.Messages.Count);
        Assert.Equal(25_000, export.SystemLines.Count);
        Assert.Empty(export.Unreadable);
        Assert.Equal(2 * 25_000, export.Messages.Zip(export.Messages.Skip(1)).Count(p => p.First.Type != p.Second.Type) + 1);
    }
}
