using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Tests.Routing;

/// <summary>Reading messages with the shipped rules: intent, language, urgency cues. Expectations are what a person reads.</summary>
public class MessageReaderTests
{
    private static readonly string[] Both = ["de", "en"];

    private static Understanding Read(string? text, string type = "text", params LanguageHint[] hints) =>
        MessageReader.Read(RuleSet.Default, Both, type, text, hints);

    private static Understanding ReadAs(string text, string language) => Read(text, "text", new LanguageHint(language, "test"));

    public static TheoryData<string, string, string> Messages => new()
    {
        // English: question
        { "Do you ship to Norway?", "question", "en" },
        { "Is the blue model still available?", "question", "en" },
        { "Can you tell me more about the warranty?", "question", "en" },
        { "I wonder whether the lid fits the older model", "question", "en" },
        { "Any update on my delivery?", "question", "en" },
        { "When will my order arrive?", "question", "en" },
        // English: price request
        { "How much is the X200?", "price_request", "en" },
        { "Please send me a quote for 50 chairs", "price_request", "en" },
        { "Do you offer a discount for schools?", "price_request", "en" },
        { "What are your rates for weekend delivery?", "price_request", "en" },
        // English: order
        { "I'd like to order 3 more boxes", "order", "en" },
        { "We'll take the grey one", "order", "en" },
        { "Please go ahead with the order", "order", "en" },
        { "I want to buy two of them", "order", "en" },
        // English: complaint
        { "My order arrived broken", "complaint", "en" },
        { "The machine stopped working after two days", "complaint", "en" },
        { "I want a refund", "complaint", "en" },
        { "Still waiting for my parcel, this is unacceptable", "complaint", "en" },
        { "The invoice is wrong", "complaint", "en" },
        { "Your driver was late again", "complaint", "en" },
        // English: scheduling
        { "Can we schedule a call for Monday?", "scheduling", "en" },
        { "I'd like to book an appointment", "scheduling", "en" },
        { "Could you visit our site next week?", "scheduling", "en" },
        // English: automation intents
        { "Are you open on Sunday?", "opening_hours", "en" },
        { "When do you close today?", "opening_hours", "en" },
        { "What time do you close on Friday?", "opening_hours", "en" },
        { "What is your address?", "address", "en" },
        { "Where can I find you?", "address", "en" },
        { "Is there parking nearby?", "address", "en" },
        { "Can you send me the spec sheet?", "catalogue", "en" },
        { "Do you have a brochure?", "catalogue", "en" },
        // English: acknowledgement
        { "ok", "acknowledgement", "en" },
        { "Thanks!", "acknowledgement", "en" },
        { "Thank you so much", "acknowledgement", "en" },
        { "Perfect, thanks Anna", "acknowledgement", "en" },
        { "Got it 👍", "acknowledgement", "en" },
        { "Sounds good", "acknowledgement", "en" },
        { "No worries", "acknowledgement", "en" },
        { "No problem, thanks!", "acknowledgement", "en" },
        { "Will do, thanks", "acknowledgement", "en" },
        { "Thanks a lot!", "acknowledgement", "en" },
        // English: closing, greeting, opt-out
        { "Bye!", "closing", "en" },
        { "Have a great day", "closing", "en" },
        { "Have a nice weekend!", "closing", "en" },
        { "See you, take care", "closing", "en" },
        { "That's all, thanks", "closing", "en" },
        { "Hi", "greeting", "en" },
        { "Good morning!", "greeting", "en" },
        { "Good afternoon", "greeting", "en" },
        { "Hello there", "greeting", "en" },
        { "STOP", "opt_out", "en" },
        { "Unsubscribe", "opt_out", "en" },
        { "Stop all", "opt_out", "en" },
        { "Please remove me from your list", "opt_out", "en" },
        { "Don’t message me again", "opt_out", "en" },
        // German: question
        { "Haben Sie das auch in Blau?", "question", "de" },
        { "Wann kommt die Lieferung?", "question", "de" },
        { "Gibt es Neuigkeiten?", "question", "de" },
        { "Wie lange dauert der Versand?", "question", "de" },
        // German: price request
        { "Was kostet das?", "price_request", "de" },
        { "Können Sie mir ein Angebot schicken?", "price_request", "de" },
        { "Gibt es Rabatt ab 100 Stück?", "price_request", "de" },
        { "Wie viel kostet der Versand nach Wien?", "price_request", "de" },
        // German: order
        { "Ich möchte 10 Stück bestellen", "order", "de" },
        { "Wir nehmen das Angebot an", "order", "de" },
        { "Ich nehme die rote Variante", "order", "de" },
        // German: complaint
        { "Die Ware ist beschädigt angekommen", "complaint", "de" },
        { "Das Gerät funktioniert nicht", "complaint", "de" },
        { "Ich möchte mich beschweren", "complaint", "de" },
        { "Die Rechnung ist falsch", "complaint", "de" },
        { "Das Paket ist immer noch nicht da", "complaint", "de" },
        // German: scheduling
        { "Können wir einen Termin machen?", "scheduling", "de" },
        { "Rufen Sie mich bitte zurück", "scheduling", "de" },
        { "Können Sie am Donnerstag vorbeikommen?", "scheduling", "de" },
        // German: automation intents
        { "Wann haben Sie geöffnet?", "opening_hours", "de" },
        { "Was sind Ihre Öffnungszeiten?", "opening_hours", "de" },
        { "Wann öffnen Sie morgen?", "opening_hours", "de" },
        { "Wie ist Ihre Adresse?", "address", "de" },
        { "Wie komme ich zu Ihnen?", "address", "de" },
        { "Haben Sie einen Katalog?", "catalogue", "de" },
        { "Schicken Sie mir bitte das Datenblatt", "catalogue", "de" },
        // German: acknowledgement
        { "Danke", "acknowledgement", "de" },
        { "Vielen Dank!", "acknowledgement", "de" },
        { "passt", "acknowledgement", "de" },
        { "Alles klar, danke", "acknowledgement", "de" },
        { "Super 👍", "acknowledgement", "de" },
        { "Geht klar", "acknowledgement", "de" },
        { "In Ordnung", "acknowledgement", "de" },
        { "ok danke", "acknowledgement", "de" },
        { "Kein Problem", "acknowledgement", "de" },
        { "Danke schön, Anna", "acknowledgement", "de" },
        // German: closing, greeting, opt-out
        { "Tschüss", "closing", "de" },
        { "Schönen Tag noch!", "closing", "de" },
        { "Danke, schönen Tag noch!", "closing", "de" },
        { "Das war's, danke", "closing", "de" },
        { "Hallo", "greeting", "de" },
        { "Guten Tag", "greeting", "de" },
        { "Moin", "greeting", "de" },
        { "abmelden", "opt_out", "de" },
        { "STOPP", "opt_out", "de" },
        { "Keine Nachrichten mehr bitte", "opt_out", "de" },
        { "Bitte nicht mehr kontaktieren", "opt_out", "de" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Read_Message_HasExpectedIntentAndLanguage(string text, string intent, string language)
    {
        // The hint is the expected language, so a message without telling words still gets it; the words must not
        // point elsewhere.
        var u = ReadAs(text, language);
        Assert.Equal((intent, language), (u.Intent, u.Language));
    }

    public static TheoryData<string, string> TellingWords => new()
    {
        { "Do you ship to Norway?", "en" },
        { "What would 20 units cost?", "en" },
        { "The parcel arrived damaged and two boxes are missing.", "en" },
        { "Thank you so much", "en" },
        { "Can you send me the spec sheet?", "en" },
        { "Hello, what is the price for the X200?", "en" },
        { "Liefern Sie auch nach Österreich?", "de" },
        { "Was kostet die Montage bei 50 Stück?", "de" },
        { "Die Lieferung ist unvollständig, es fehlen zwei Paletten.", "de" },
        { "Vielen Dank", "de" },
        { "Können wir nächste Woche einen Termin vereinbaren?", "de" },
        { "Guten Morgen, ist die Ware schon unterwegs?", "de" },
    };

    [Theory]
    [MemberData(nameof(TellingWords))]
    public void DetectLanguage_MarkerWords_BeatAWrongHint(string text, string language)
    {
        var wrong = language == "de" ? "en" : "de";
        var u = Read(text, "text", new LanguageHint(wrong, "contact's language"));
        Assert.Equal(language, u.Language);
        Assert.Equal("words", u.LanguageSource);
    }

    [Fact]
    public void DetectLanguage_NoTellingWords_UsesFirstHint()
    {
        var u = Read("passt", "text", new LanguageHint("de", "number's country"), new LanguageHint("en", "other"));
        Assert.Equal(("de", "number's country"), (u.Language, u.LanguageSource));
    }

    [Fact]
    public void DetectLanguage_NoWordsNoHints_UsesBusinessFirstLanguage() =>
        Assert.Equal("de", Read("👍").Language);

    [Theory]
    [InlineData("This is urgent", "urgent")]
    [InlineData("ASAP please", "asap")]
    [InlineData("I need it today", "today")]
    [InlineData("Please call me as soon as possible", "as soon as possible")]
    [InlineData("Dringend!", "dringend")]
    [InlineData("Bitte sofort melden", "sofort")]
    [InlineData("Können Sie heute noch liefern?", "heute noch")]
    [InlineData("Wir brauchen das noch heute", "noch heute")]
    public void Read_UrgencyPhrase_IsReportedAsCue(string text, string cue) =>
        Assert.Contains(cue, Read(text).UrgencyCues);

    [Theory]
    [InlineData("Kommt das Paket heute?")]   // "heute" alone is not urgent, only "heute noch"
    [InlineData("Do you have the X200 in black?")]
    [InlineData("Wann kommt die Lieferung?")]
    public void Read_NoUrgencyPhrase_HasNoCues(string text) => Assert.Empty(Read(text).UrgencyCues);

    [Theory]
    [InlineData("Not urgent, whenever you have time")]
    [InlineData("Nicht dringend, wann immer es passt")]
    public void Read_NegatedUrgency_HasNoCues(string text) => Assert.Empty(Read(text).UrgencyCues);

    [Theory]
    [InlineData("👍")]
    [InlineData("🙏🙏")]
    [InlineData("😀!")]
    [InlineData("❤️")]
    [InlineData("👌🏽")]
    public void Read_EmojiOnly_IsAcknowledgementWithoutReply(string text)
    {
        var u = Read(text);
        Assert.Equal("acknowledgement", u.Intent);
        Assert.False(u.NeedsReply);
    }

    [Fact]
    public void Read_EmojiWithQuestionMark_IsNotAcknowledgement()
    {
        var u = Read("🤔?");
        Assert.NotEqual("acknowledgement", u.Intent);
        Assert.True(u.NeedsReply);
    }

    [Theory]
    [InlineData("👍")]
    [InlineData("😡")]
    [InlineData(null)]
    public void Read_Reaction_IsAcknowledgementWhateverTheEmoji(string? emoji)
    {
        var u = Read(emoji, "reaction");
        Assert.Equal("acknowledgement", u.Intent);
        Assert.False(u.NeedsReply);
    }

    [Fact]
    public void Read_StickerWithoutText_IsAcknowledgement() => Assert.Equal("acknowledgement", Read(null, "sticker").Intent);

    [Fact]
    public void Read_ImageWithoutCaption_IsMediaAndNeedsReply()
    {
        var u = Read(null, "image");
        Assert.Equal(RuleSet.Media, u.Intent);
        Assert.True(u.NeedsReply);
    }

    [Fact]
    public void Read_ImageWithCaption_ReadsTheCaption() =>
        Assert.Equal("complaint", Read("This is how the box arrived, totally damaged", "image").Intent);

    [Fact]
    public void Read_Revoke_IsWithdrawn() => Assert.Equal(RuleSet.Withdrawn, Read(null, "revoke").Intent);

    [Theory]
    [InlineData("No problem at all")]
    [InlineData("no problem")]
    [InlineData("Not a problem, take your time")]
    [InlineData("no worries")]
    [InlineData("Kein Problem")]
    [InlineData("Das ist kein Problem für uns")]
    public void Read_NoProblem_IsNotAComplaint(string text)
    {
        var u = Read(text);
        Assert.DoesNotContain("complaint", u.Intents);
    }

    [Fact]
    public void Read_RealProblem_IsAComplaint()
    {
        Assert.Equal("complaint", Read("We have a problem with the last delivery").Intent);
        Assert.Equal("complaint", Read("Wir haben ein Problem mit der letzten Lieferung").Intent);
    }

    [Theory]
    [InlineData("ok")]
    [InlineData("Thanks!")]
    [InlineData("danke")]
    [InlineData("Tschüss")]
    [InlineData("STOP")]
    public void Read_NoReplyIntents_DoNotNeedReply(string text) => Assert.False(Read(text).NeedsReply);

    [Theory]
    [InlineData("Hello!")]
    [InlineData("Guten Morgen")]
    [InlineData("Do you ship to Norway?")]
    public void Read_GreetingOrRequest_NeedsReply(string text) => Assert.True(Read(text).NeedsReply);

    [Fact]
    public void Read_OkInsideWord_IsNotAcknowledgement() => Assert.NotEqual("acknowledgement", Read("Can I book a table?").Intent);

    [Fact]
    public void Read_StopInsideSentence_IsNotOptOut() => Assert.NotEqual("opt_out", Read("Where is the nearest bus stop to your shop?").Intent);

    [Fact]
    public void Read_SeveralIntents_AllRecordedInPriorityOrder()
    {
        var u = Read("The delivery is missing two boxes, what does a replacement cost?");
        Assert.Equal("complaint", u.Intent);
        Assert.Contains("price_request", u.Intents);
        Assert.Contains("question", u.Intents);
        Assert.NotEmpty(u.Evidence);
    }

    [Fact]
    public void Read_TypographicApostrophe_MatchesLikeAscii() =>
        Assert.Equal("order", Read("I’d like to order 20 more").Intent);

    [Fact]
    public void Read_ArbitraryText_NeverThrows()
    {
        var types = Gen.Elements("text", "reaction", "image", "sticker", "revoke", "system", "interactive", "button", "unsupported", "edit");
        var texts = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>(),
            Gen.Elements("re:", "(", "?", "\u200E", "ok\u00A0danke", "🤔", "  ", "'", "’", "*", "\\", "[", "ÄÖÜß", "İ", "\uD83D")
                .ListOf().Select(parts => string.Concat(parts)));
        var cases = (from t in types from s in texts select (t, s)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(cases, c =>
        {
            var u = MessageReader.Read(RuleSet.Default, Both, c.t, c.s, []);
            return u.Intent.Length > 0 && (u.Language is "de" or "en") && u.Intents.Count > 0 && u.Intents[0] == u.Intent;
        }));
    }
}
