using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Automation;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.Automation;

public sealed class AnswerBookTests
{
    private static AnswerBook Book(params (string Intent, string Language, string Text)[] answers) =>
        new(answers.GroupBy(a => a.Intent).ToDictionary(g => g.Key,
            g => (IReadOnlyDictionary<string, string>)g.ToDictionary(a => a.Language, a => a.Text)));

    private static readonly AnswerBook Shop = Book(
        ("opening_hours", "en", "Mon–Fri 9–18."), ("opening_hours", "de", "Mo–Fr 9–18 Uhr."), ("address", "en", "1 Main St."));

    [Fact]
    public void Find_IsByIntentAndLanguage_IgnoringCase_AndTrimmed()
    {
        var book = Book(("Opening_Hours", "EN", "  Mon–Fri 9–18.  "));
        Assert.Equal("Mon–Fri 9–18.", book.Find("opening_hours", "en"));
        Assert.Null(book.Find("opening_hours", "de"));
        Assert.Null(book.Find("address", "en"));
    }

    [Fact]
    public void BlankAnswers_CountAsMissing()
    {
        var book = Book(("address", "en", "   "), ("address", "de", "Hauptstr. 1"));
        Assert.Null(book.Find("address", "en"));
        Assert.Equal(["address"], book.Missing(["address"], "en"));
        Assert.Empty(book.Missing(["address"], "de"));
    }

    [Fact]
    public void Compose_OneAnswerPerQuestion_InTheOrderAsked()
    {
        var answers = Shop.Compose(["address", "opening_hours", "address"], "en");
        Assert.Equal(["address", "opening_hours"], answers.Select(a => a.Intent));
        Assert.Equal(["1 Main St.", "Mon–Fri 9–18."], answers.Select(a => a.Text));
        Assert.All(answers, a => Assert.Equal("en", a.Language));
    }

    [Fact]
    public void Compose_AnyQuestionWithoutAnAnswer_ComposesNothing() =>
        Assert.Empty(Shop.Compose(["opening_hours", "address"], "de")); // no German address: half an answer is not sent

    [Fact]
    public void Missing_NamesEveryUnansweredIntent_InOrder() =>
        Assert.Equal(["catalogue", "address"], Shop.Missing(["catalogue", "opening_hours", "address"], "de"));

    [Fact]
    public void Validate_NamesEachMistakeWithItsKey()
    {
        var errors = AnswerBook.Validate(new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["opening_hours"] = new Dictionary<string, string> { ["en"] = "ok", ["english"] = "bad language", ["de"] = " " },
            ["Opening Hours"] = new Dictionary<string, string> { ["en"] = "bad intent" },
            ["weather"] = new Dictionary<string, string> { ["en"] = "unknown intent" },
            ["address"] = new Dictionary<string, string> { ["en"] = new string('x', AnswerBook.MaxTextLength + 1) },
        }, RuleSet.Default.AllIntents.ToHashSet());
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Automation:Answers:opening_hours:english:", StringComparison.Ordinal) && e.Contains("ISO 639-1"));
        Assert.Contains(errors, e => e.StartsWith("Automation:Answers:opening_hours:de:", StringComparison.Ordinal) && e.Contains("empty"));
        Assert.Contains(errors, e => e.StartsWith("Automation:Answers:Opening Hours:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Automation:Answers:weather:", StringComparison.Ordinal) && e.Contains("no such intent"));
        Assert.Contains(errors, e => e.StartsWith("Automation:Answers:address:en:", StringComparison.Ordinal) && e.Contains("4096"));
    }

    [Fact]
    public void Validate_AGoodBook_HasNoMistakes() =>
        Assert.Empty(AnswerBook.Validate(new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["opening_hours"] = new Dictionary<string, string> { ["en"] = "Mon–Fri 9–18.", ["de"] = "Mo–Fr 9–18 Uhr." },
        }, RuleSet.Default.AllIntents.ToHashSet()));

    [Fact]
    public void Compose_EitherAnswersEveryQuestion_OrNothing_Property() =>
        Prop.ForAll(Gen.SubListOf(["opening_hours", "address", "catalogue", "price_request"]).ToArbitrary(),
            Gen.Elements("en", "de", "fr").ToArbitrary(), (intents, language) =>
            {
                var answers = Shop.Compose(intents, language);
                bool complete = Shop.Missing(intents, language).Count == 0;
                return complete
                    ? answers.Select(a => a.Intent).SequenceEqual(intents.Distinct()) && answers.All(a => a.Text == Shop.Find(a.Intent, language))
                    : answers.Count == 0;
            }).QuickCheckThrowOnFailure();
}

/// <summary>Routing with the business's written answers: automation only when every question has an answer in the message's language.</summary>
public sealed class AutomaticAnswerRoutingTests
{
    private static readonly AnswerBook Book = new(new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["opening_hours"] = new Dictionary<string, string> { ["en"] = "Mon–Fri 9–18.", ["de"] = "Mo–Fr 9–18 Uhr." },
        ["address"] = new Dictionary<string, string> { ["en"] = "1 Main St." },
    });

    private static Threadline.Pipeline.ConversationPipeline WithBook(AnswerBook? book) =>
        Threadline.Tests.Routing.DecisionFixtures.Pipeline(Berlin(automation: ["opening_hours", "address"]) with { Answers = book });

    private static Threadline.Pipeline.MomentDecision DecideAfter(Threadline.Pipeline.ConversationPipeline pipeline, params ThreadMessage[] messages)
    {
        var contact = Contact(owner: "anna");
        var (history, conversation, steps) = Thread(pipeline, contact, messages);
        return pipeline.Decide(history, conversation, steps[^1].Threading, contact, [], Utc("2026-03-10T09:05Z"));
    }

    [Fact]
    public void AnAnsweredQuestion_GoesToAutomation_WithItsAnswer()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "What are your opening hours?"));
        Assert.Equal(Handler.Automation, d.Routing.Handler);
        var answer = Assert.Single(d.Answers);
        Assert.Equal(("opening_hours", "en", "Mon–Fri 9–18."), (answer.Intent, answer.Language, answer.Text));
    }

    [Fact]
    public void AGermanQuestion_IsAnsweredInGerman()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "Wann haben Sie geöffnet?"));
        Assert.Equal(Handler.Automation, d.Routing.Handler);
        Assert.Equal("Mo–Fr 9–18 Uhr.", Assert.Single(d.Answers).Text);
    }

    [Fact]
    public void NoAnswerInTheMessagesLanguage_GoesToAPerson_NamingTheMissingAnswer()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "Wie ist Ihre Adresse?"));
        Assert.Equal(Handler.Human, d.Routing.Handler);
        Assert.Equal("anna", d.Routing.Assignee);
        var rule = Assert.Single(d.Routing.Rules, r => r.Rule == "handler.human-no-answer");
        Assert.Contains("Automation:Answers:address:de", rule.Detail);
        Assert.Empty(d.Answers);
    }

    [Fact]
    public void TwoQuestions_AreAnsweredTogether_OneAnswerEach()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "Hello, what are your opening hours?"), In("2026-03-10T09:01Z", "And your address?"));
        Assert.Equal(Handler.Automation, d.Routing.Handler);
        Assert.Equal(["opening_hours", "address"], d.Answers.Select(a => a.Intent));
    }

    [Fact]
    public void HighUrgency_StaysWithAPerson_EvenWithAnAnswer()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "Urgent: what are your opening hours today?"));
        Assert.Equal(Handler.Human, d.Routing.Handler);
        Assert.Empty(d.Answers);
    }

    [Fact]
    public void WithoutABook_RoutingAloneStillChoosesAutomation_AndComposesNothing()
    {
        // Scenario replay and routing tests run without written answers: the decision is the routing rule's alone.
        var d = DecideAfter(WithBook(null), In("2026-03-10T09:00Z", "What are your opening hours?"));
        Assert.Equal(Handler.Automation, d.Routing.Handler);
        Assert.Empty(d.Answers);
    }

    [Fact]
    public void AnAcknowledgement_GetsNoAnswer()
    {
        var d = DecideAfter(WithBook(Book), In("2026-03-10T09:00Z", "Thanks 👍"));
        Assert.Equal(Handler.None, d.Routing.Handler);
        Assert.Empty(d.Answers);
    }
}
