using Threadline.Pipeline.Context;
using Threadline.Pipeline.FollowUp;
using Threadline.Pipeline.Routing.Rules;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.FollowUp;

/// <summary>Silence after our last message: hesitation (they owe us an answer) or completion (nothing open).</summary>
public class SilenceClassifierTests
{
    private static readonly string[] Both = ["de", "en"];

    private static Conversation OursLast(string? contactsLastIntent = "question", string language = "en") =>
        Conversation.Open(1, 1, Utc("2026-03-10T09:00Z")) with
        {
            LastFrom = Party.Agent,
            LastIntent = contactsLastIntent,
            LastMessageAt = Utc("2026-03-10T09:30Z"),
            LastInboundAt = Utc("2026-03-10T09:00Z"),
            LastOutboundAt = Utc("2026-03-10T09:30Z"),
            Language = language,
            State = ConversationState.WaitingOnThem,
        };

    private static Silence Classify(string? ourText, DealInfo? deal = null, string? contactsLastIntent = "question", string language = "en") =>
        SilenceClassifier.Classify(RuleSet.Default, OursLast(contactsLastIntent, language), deal, ourText, Both).Silence;

    [Fact]
    public void Classify_LastMessageIsContacts_None()
    {
        var c = OursLast() with { LastFrom = Party.Contact };
        Assert.Equal(Silence.None, SilenceClassifier.Classify(RuleSet.Default, c, null, "Shall I send it?", Both).Silence);
    }

    [Theory]
    [InlineData("Would you like us to reserve 20 for you?")]
    [InlineData("Shall I send the samples")]
    [InlineData("Quote attached: EUR 12,000 incl. shipping.")]
    [InlineData("The price is 420 € per unit.")]
    [InlineData("We can offer 5% off this month.")]
    [InlineData("Let me know if that works.")]
    public void Classify_OurQuestionOrOffer_Hesitation(string text) => Assert.Equal(Silence.Hesitation, Classify(text));

    [Theory]
    [InlineData("Hier ist unser Angebot für 20 Stück.")]
    [InlineData("Der Preis liegt bei 350 EUR.")]
    [InlineData("Sollen wir einen Termin eintragen?")]
    [InlineData("Möchten Sie die Muster haben")]
    public void Classify_OurGermanQuestionOrOffer_Hesitation(string text) => Assert.Equal(Silence.Hesitation, Classify(text, language: "de"));

    [Theory]
    [InlineData("You're welcome, have a nice day!")]
    [InlineData("Thanks for your order, enjoy!")]
    [InlineData("Gern geschehen, schönen Tag noch!")]
    public void Classify_WeClosedTheExchange_Completion(string text) => Assert.Equal(Silence.Completion, Classify(text, contactsLastIntent: "acknowledgement"));

    [Theory]
    [InlineData("won")]
    [InlineData("lost")]
    public void Classify_DealDone_CompletionEvenAfterQuote(string stage) =>
        Assert.Equal(Silence.Completion, Classify("Invoice attached: EUR 4,800.", new DealInfo(stage, 4800, "EUR")));

    [Theory]
    [InlineData("quote_sent")]
    [InlineData("negotiation")]
    public void Classify_DealPendingAndNeutralMessage_Hesitation(string stage) =>
        Assert.Equal(Silence.Hesitation, Classify("Understood, we will wait for your decision.", new DealInfo(stage, 7000, "EUR"), "other"));

    [Fact]
    public void Classify_DealPendingAndTemplateWithoutText_Hesitation() =>
        Assert.Equal(Silence.Hesitation, Classify(null, new DealInfo("quote_sent", 7000, "EUR")));

    [Fact]
    public void Classify_TheyThankedWeConfirmed_Completion() =>
        Assert.Equal(Silence.Completion, Classify("Noted, we will ship on Monday.", contactsLastIntent: "acknowledgement"));

    [Fact]
    public void Classify_PlainAnswerNoDeal_Completion() =>
        Assert.Equal(Silence.Completion, Classify("Yes, the X200 ships from stock within two days."));

    [Fact]
    public void Classify_EveryReading_NamesItsRule()
    {
        var reading = SilenceClassifier.Classify(RuleSet.Default, OursLast(), null, "Shall I reserve them?", Both);
        Assert.StartsWith("silence.", reading.Rule.Rule);
        Assert.False(string.IsNullOrWhiteSpace(reading.Rule.Detail));
    }
}
