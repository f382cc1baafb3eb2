using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

/// <summary>Fingerprints (re-import stability) and progress reporting.</summary>
public class ChatExportFingerprintTests
{
    private const string Chat = """
        31/12/2024, 21:41 - Alice Smith: Happy new year!
        31/12/2024, 21:41 - Bob: ok
        31/12/2024, 21:41 - Bob: ok
        31/12/2024, 21:41 - Alice Smith: ok
        31/12/2024, 21:42 - Bob: ok
        31/12/2024, 21:42 - Bob: <Media omitted>
        31/12/2024, 21:42 - Bob: <Media omitted>
        """;

    private static ChatExport Parse(string text) => ChatExportParser.Parse(text, "Europe/London");

    [Fact]
    public void ParsingTwice_GivesTheSameFingerprints_AsLowercaseSha256Hex()
    {
        var first = Parse(Chat).Messages.Select(m => m.Fingerprint).ToList();
        var second = ChatExportParser.Parse(new StringReader(Chat), "Europe/London").Messages.Select(m => m.Fingerprint).ToList();
        Assert.Equal(first, second);
        Assert.All(first, f => Assert.Matches("^[0-9a-f]{64}$", f));
    }

    [Fact]
    public void IdenticalMessagesInTheSameMinute_StayDistinct()
    {
        var fingerprints = Parse(Chat).Messages.Select(m => m.Fingerprint).ToList();
        Assert.Equal(7, fingerprints.Count);
        Assert.Equal(7, fingerprints.Distinct().Count());
    }

    [Fact]
    public void Fingerprints_DoNotDependOnLineNumbersOrLaterMessages()
    {
        var before = Parse(Chat).Messages.Select(m => m.Fingerprint).ToList();
        // Re-exported later: more messages at the end, a preamble line and a different zone do not matter.
        var later = Parse("exported by Threadline\n\n" + Chat + "\n31/12/2024, 21:42 - Bob: ok\n01/01/2025, 00:00 - Alice Smith: 🎉")
            .Messages.Select(m => m.Fingerprint).ToList();
        Assert.Equal(before, later.Take(before.Count));
        Assert.Equal(9, later.Distinct().Count());
        Assert.Equal(before, ChatExportParser.Parse(Chat, "Asia/Tokyo").Messages.Select(m => m.Fingerprint));
    }

    [Fact]
    public void Fingerprints_ChangeWithEachField()
    {
        var baseline = Parse("31/12/2024, 21:41 - Bob: ok").Messages[0].Fingerprint;
        Assert.NotEqual(baseline, Parse("31/12/2024, 21:42 - Bob: ok").Messages[0].Fingerprint);
        Assert.NotEqual(baseline, Parse("31/12/2024, 21:41 - Rob: ok").Messages[0].Fingerprint);
        Assert.NotEqual(baseline, Parse("31/12/2024, 21:41 - Bob: OK").Messages[0].Fingerprint);
        Assert.NotEqual(
            Parse("31/12/2024, 21:41 - Bob: image omitted").Messages[0].Fingerprint,
            Parse("31/12/2024, 21:41 - Bob: video omitted").Messages[0].Fingerprint);
        // Field boundaries are unambiguous: moving text between author and body changes the fingerprint.
        Assert.NotEqual(Parse("31/12/2024, 21:41 - a b: c").Messages[0].Fingerprint, Parse("31/12/2024, 21:41 - a: b: c").Messages[0].Fingerprint);
    }

    [Fact]
    public void Progress_ReportsCharactersReadNowAndThen_EndingWithTheTotal()
    {
        var text = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"31/12/2024, 21:41 - Bob: message {i}\n"));
        var reports = new List<long>();
        ChatExportParser.Parse(new StringReader(text), "UTC", progress: reports.Add);
        Assert.InRange(reports.Count, 2, 10);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(text.Length, reports[^1]);
    }
}
