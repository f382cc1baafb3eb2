using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Tests.Routing;

/// <summary>Phrase matching: whole words, prefixes with *, regular expressions, normalised text.</summary>
public class PhraseSetTests
{
    private static PhraseSet Set(params string[] phrases) => new(phrases.Select((p, i) => new Phrase(p, i + 1)).ToList());

    private static string N(string text) => TextNormaliser.Normalise(text);

    [Theory]
    [InlineData("ok", "ok", true)]
    [InlineData("ok", "book", false)]
    [InlineData("ok", "ok.", true)]
    [InlineData("defekt*", "die pumpe ist defekte ware", true)]
    [InlineData("defekt*", "nicht defekt", true)]
    [InlineData("defekt*", "undefekt", false)]
    [InlineData("thank you", "thank   you", true)]
    [InlineData("für", "für", true)]
    [InlineData("für", "fürth", false)]
    [InlineData(@"re:\?", "really?", true)]
    [InlineData("i'd like to order", "I’d like to order", true)]
    public void FirstMatch_Phrase_MatchesWholeWords(string phrase, string text, bool matches) =>
        Assert.Equal(matches, Set(phrase).FirstMatch(N(text)) is not null);

    [Fact]
    public void FirstMatch_CaseInsensitive() => Assert.Equal("dringend", Set("DRINGEND").FirstMatch(N("Dringend!")));

    [Fact]
    public void Blank_ReplacesEveryMatchAndReportsThem()
    {
        var found = new List<string>();
        var rest = Set("ok", "danke").Blank(N("ok danke ok"), found);
        Assert.Equal(new[] { "ok", "danke", "ok" }, found);
        Assert.Empty(TextNormaliser.Words(rest));
    }

    [Fact]
    public void Blank_LongerPhraseListedAfterItsPrefix_BlanksTheWholeLongerPhrase()
    {
        // The rules list "schönen tag" before "schönen tag noch" (and "thanks" before "thanks a lot"): the longer
        // phrase must still be taken as one, or its extra words count as "other words".
        var found = new List<string>();
        var rest = Set("schönen tag", "schönen tag noch").Blank(N("Schönen Tag noch!"), found);
        Assert.Equal(new[] { "schönen tag noch" }, found);
        Assert.Empty(TextNormaliser.Words(rest));
    }

    [Fact]
    public void Empty_MatchesNothing()
    {
        Assert.True(PhraseSet.Empty.IsEmpty);
        Assert.Null(PhraseSet.Empty.FirstMatch("anything"));
        Assert.Equal("anything", PhraseSet.Empty.Blank("anything"));
    }

    [Fact]
    public void Normalise_FoldsQuotesSpacesAndInvisibleMarks() =>
        Assert.Equal("i'd like \"this\" now", TextNormaliser.Normalise("I’d\u00A0like „this“\u200E now"));

    [Theory]
    [InlineData("👍🙏", true)]
    [InlineData("!!! ...", true)]
    [InlineData("ok 👍", false)]
    [InlineData("5⭐", false)]
    public void HasNoWords_EmojiAndPunctuation(string text, bool noWords) => Assert.Equal(noWords, TextNormaliser.HasNoWords(text));

    [Fact]
    public void Words_KeepsInnerApostrophes() =>
        Assert.Equal(new[] { "that's", "all", "m10" }, TextNormaliser.Words("that's all, m10!"));
}
