using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Tests.Routing;

/// <summary>Rules files: every mistake is reported, with the line it is on.</summary>
public class RuleSetLoaderTests
{
    // Line numbers matter below: keep every sample's lines as they are.
    private const string Valid = """
        version: 1
        languages:
          en:
            countries: [GB]
            markers: [the, you]
        noReply: [acknowledgement]
        intents:
          - intent: question
            any:
              en: ['re:\?']
          - intent: acknowledgement
            only:
              en: [ok, thanks]
            otherWords: 1
        """;

    private static RuleSetLoad Parse(string yaml) => RuleSetLoader.Parse(yaml, "test.yaml");

    private static RuleError Single(string yaml)
    {
        var load = Parse(yaml);
        Assert.Null(load.Rules);
        return Assert.Single(load.Errors);
    }

    [Fact]
    public void Parse_ValidFile_LoadsRules()
    {
        var load = Parse(Valid);
        Assert.True(load.Ok, string.Join("; ", load.Errors));
        Assert.Empty(load.Errors);
        Assert.Equal(new[] { "question", "acknowledgement" }, load.Rules!.Intents.Select(i => i.Intent));
        Assert.Contains("acknowledgement", load.Rules.NoReply);
    }

    [Fact]
    public void Parse_ValidFile_ReadsMessages()
    {
        var rules = Parse(Valid).Rules!;
        Assert.Equal("question", MessageReader.Read(rules, ["en"], "text", "Is it in stock?", []).Intent);
        Assert.Equal("acknowledgement", MessageReader.Read(rules, ["en"], "text", "ok thanks", []).Intent);
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsLineOfMistake()
    {
        var error = Single("version: 1\nlanguages:\n  en:\n    countries: GB: DE\n    markers: [the]\nintents: []\n");
        Assert.Contains("not valid YAML", error.Message);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void Parse_BadIndentation_ReportsItsLine()
    {
        var error = Single("version: 1\nlanguages:\n  en:\n    countries: [GB]\n   markers: [the]\nintents: []\n");
        Assert.Contains("not valid YAML", error.Message);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Parse_UnknownTopLevelKey_ReportsItsLine()
    {
        var error = Single(Valid + "\ncolour: red\n");
        Assert.Contains("unknown key 'colour'", error.Message);
        Assert.Equal(15, error.Line);
    }

    [Fact]
    public void Parse_UnknownKeyInIntent_ReportsItsLine()
    {
        var error = Single(Valid.Replace("    otherWords: 1", "    otherwords: 1"));
        Assert.Contains("unknown key 'otherwords'", error.Message);
        Assert.Equal(14, error.Line);
    }

    [Fact]
    public void Parse_BadRegularExpression_ReportsItsLine()
    {
        var error = Single(Valid.Replace(@"en: ['re:\?']", "en: ['re:(unclosed']"));
        Assert.Contains("not a valid regular expression", error.Message);
        Assert.Equal(10, error.Line);
    }

    [Fact]
    public void Parse_PhraseInUndefinedLanguage_ReportsItsLine()
    {
        var error = Single(Valid.Replace("      en: [ok, thanks]", "      en: [ok, thanks]\n      fr: [merci]"));
        Assert.Contains("'fr'", error.Message);
        Assert.Equal(14, error.Line);
    }

    [Fact]
    public void Parse_MalformedLanguageCode_ReportsItsLine()
    {
        var error = Single(Valid.Replace("noReply:", "  English:\n    markers: [the]\nnoReply:"));
        Assert.Contains("not a language code", error.Message);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Parse_UnknownIntentInTypes_ReportsItsLine()
    {
        var error = Single(Valid + "\ntypes:\n  reaction: applause\n");
        Assert.Contains("intent 'applause'", error.Message);
        Assert.Equal(16, error.Line);
    }

    [Fact]
    public void Parse_UnknownIntentInNoReply_ReportsItsLine()
    {
        var error = Single(Valid.Replace("noReply: [acknowledgement]", "noReply:\n  - acknowledgement\n  - goodbye"));
        Assert.Contains("'goodbye'", error.Message);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void Parse_UnknownIntentInEmojiOnly_ReportsItsLine()
    {
        var error = Single(Valid + "\nemojiOnly: thumbs\n");
        Assert.Contains("'thumbs'", error.Message);
        Assert.Equal(15, error.Line);
    }

    [Fact]
    public void Parse_DuplicateIntent_ReportsSecondDefinition()
    {
        var error = Single(Valid + "\n  - intent: question\n    any:\n      en: [what]\n");
        Assert.Contains("defined twice", error.Message);
        Assert.Equal(15, error.Line);
    }

    [Fact]
    public void Parse_BuiltInIntentAsRule_IsRefused()
    {
        var error = Single(Valid + "\n  - intent: other\n    any:\n      en: [what]\n");
        Assert.Contains("built in", error.Message);
        Assert.Equal(15, error.Line);
    }

    [Fact]
    public void Parse_OtherWordsOutOfRange_ReportsItsLine()
    {
        var error = Single(Valid.Replace("otherWords: 1", "otherWords: 9"));
        Assert.Contains("otherWords", error.Message);
        Assert.Equal(14, error.Line);
    }

    [Fact]
    public void Parse_PhraseWithoutWords_ReportsItsLine()
    {
        var error = Single(Valid.Replace("en: [ok, thanks]", "en: [ok, '!!']"));
        Assert.Contains("has no words", error.Message);
        Assert.Equal(13, error.Line);
    }

    [Fact]
    public void Parse_WrongVersion_IsReported()
    {
        var error = Single(Valid.Replace("version: 1", "version: 2"));
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Parse_MissingIntents_IsReported()
    {
        var load = Parse("version: 1\nlanguages:\n  en:\n    markers: [the]\n");
        Assert.False(load.Ok);
        Assert.Contains(load.Errors, e => e.Message.Contains("intents"));
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsAllInLineOrder()
    {
        var yaml = Valid.Replace("version: 1", "version: 1\nflavour: x")          // line 2
            .Replace(@"en: ['re:\?']", "en: ['re:[']")                               // line 11
            + "\ntypes:\n  reaction: clapping\n";                                     // line 17
        var load = Parse(yaml);
        Assert.False(load.Ok);
        Assert.Equal(new[] { 2, 11, 17 }, load.Errors.Select(e => e.Line));
        Assert.All(load.Errors, e => Assert.Equal("test.yaml", e.Source));
    }

    [Fact]
    public void Parse_EmptyFile_IsReported() => Assert.False(Parse("").Ok);

    [Fact]
    public void Default_ShippedRules_Load()
    {
        var load = RuleSetLoader.Parse(RuleSet.DefaultYaml(), "default-rules.yaml");
        Assert.True(load.Ok, string.Join("; ", load.Errors));
        var rules = RuleSet.Default;
        Assert.Equal(new[] { "de", "en" }, rules.Languages.Keys.Order());
        foreach (var intent in new[] { "question", "price_request", "order", "complaint", "scheduling", "acknowledgement", "closing", "greeting", "opt_out",
                     "opening_hours", "address", "catalogue" })
            Assert.Contains(intent, rules.Intents.Select(i => i.Intent));
        Assert.Equal("acknowledgement", rules.EmojiOnly);
        Assert.Equal("acknowledgement", rules.Types["reaction"]);
        foreach (var intent in new[] { "acknowledgement", "closing", "opt_out" })
            Assert.Contains(intent, rules.NoReply);
        Assert.DoesNotContain("greeting", rules.NoReply);
    }

    [Fact]
    public void Load_FileOnDisk_NamesItAsSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"threadline-rules-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Valid + "\nbogus: 1\n");
        try
        {
            var error = Assert.Single(RuleSetLoader.Load(path).Errors);
            Assert.Equal(path, error.Source);
            Assert.Equal(15, error.Line);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
