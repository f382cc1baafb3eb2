using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.Routing;

/// <summary>Routing decisions on conversation states built by hand (Berlin office, Mon–Fri 09:00–18:00, CET = UTC+1).</summary>
public class RoutingStageTests
{
    private const string Since = "2026-03-10T09:00Z"; // Tue 10:00 CET
    private static readonly string[] Automated = ["opening_hours", "address", "catalogue"];

    private static Agent A(string id, int open = 0, bool away = false, WorkingHours? hours = null, params string[] languages) =>
        new(id, languages.Length == 0 ? ["de", "en"] : languages, away, hours, open);

    private static Conversation Waiting(string[] intents, string since = Since, string[]? cues = null, string language = "en", bool owed = true) =>
        Conversation.Open(1, 1, Utc(since)) with
        {
            LastFrom = Party.Contact,
            LastIntent = intents[^1],
            LastMessageAt = Utc(since),
            LastInboundAt = Utc(since),
            MessageCount = 1,
            PendingSince = Utc(since),
            ReplyOwedSince = owed ? Utc(since) : null,
            PendingIntents = intents,
            PendingCues = cues ?? [],
            Language = language,
            State = owed ? ConversationState.WaitingOnUs : ConversationState.WaitingOnThem,
        };

    private static RoutingDecision Decide(Conversation c, ContactProfile? contact = null, IReadOnlyList<Agent>? agents = null,
        BusinessProfile? business = null, string now = "2026-03-10T09:05Z") =>
        RoutingStage.Decide(new RoutingInput(business ?? Berlin(), agents ?? [A("anna", 2)], contact ?? Contact(owner: "anna"), c,
            RuleSet.Default.NoReply, Utc(now)));

    [Fact]
    public void Decide_LastWordOurs_NeedsNoReply()
    {
        var c = Waiting(["question"]) with { LastFrom = Party.Agent, ReplyOwedSince = null, PendingIntents = [], LastOutboundAt = Utc("2026-03-10T09:04Z") };
        var d = Decide(c);
        Assert.False(d.NeedsReply);
        Assert.Equal(Handler.None, d.Handler);
        Assert.Null(d.Assignee);
        Assert.Null(d.RespondBy);
        Assert.Equal("needsReply.last-word-ours", d.Rules[0].Rule);
    }

    [Fact]
    public void Decide_AcknowledgementOnly_LowAndNoHandler()
    {
        var d = Decide(Waiting(["acknowledgement"], owed: false));
        Assert.Equal((false, Urgency.Low, Handler.None), (d.NeedsReply, d.Urgency, d.Handler));
        Assert.Null(d.RespondBy);
        Assert.Null(d.Assignee);
    }

    [Fact]
    public void Decide_Closing_NeedsNoReply()
    {
        var d = Decide(Waiting(["closing"], owed: false));
        Assert.False(d.NeedsReply);
        Assert.Equal(Handler.None, d.Handler);
    }

    [Fact]
    public void Decide_OptOut_NeedsNoReplyAndRecordsOptOut()
    {
        var d = Decide(Waiting(["opt_out"], owed: false));
        Assert.False(d.NeedsReply);
        Assert.True(d.RecordOptOut);
        Assert.Equal(Handler.None, d.Handler);
    }

    [Fact]
    public void Decide_QuestionFromVip_ButLastWordOurs_StaysNone()
    {
        var c = Waiting(["complaint"]) with { LastFrom = Party.Automation, ReplyOwedSince = null, PendingIntents = [] };
        var d = Decide(c, Contact(owner: "anna", vip: true));
        Assert.False(d.NeedsReply);
        Assert.Equal(Handler.None, d.Handler);
    }

    [Fact]
    public void Decide_GreetingAlone_NeedsReplyFromPerson()
    {
        var d = Decide(Waiting(["greeting"]), business: Berlin(automation: Automated));
        Assert.True(d.NeedsReply);
        Assert.Equal(Urgency.Normal, d.Urgency);
        Assert.Equal(Handler.Human, d.Handler);
        Assert.Equal("anna", d.Assignee);
    }

    [Fact]
    public void Decide_Question_NormalUrgencyOneHour()
    {
        var d = Decide(Waiting(["question"]));
        Assert.Equal((true, Urgency.Normal, Handler.Human), (d.NeedsReply, d.Urgency, d.Handler));
        Assert.Equal(Utc("2026-03-10T10:00Z"), d.RespondBy);
    }

    [Fact]
    public void Decide_Complaint_HighUrgencyFifteenMinutes()
    {
        var d = Decide(Waiting(["complaint"]));
        Assert.Equal(Urgency.High, d.Urgency);
        Assert.Equal(Utc("2026-03-10T09:15Z"), d.RespondBy);
        Assert.Contains(d.Rules, r => r.Rule == "urgency.complaint");
    }

    [Fact]
    public void Decide_ComplaintThenThanks_StaysHigh()
    {
        var d = Decide(Waiting(["complaint", "acknowledgement"]));
        Assert.True(d.NeedsReply);
        Assert.Equal(Urgency.High, d.Urgency);
    }

    [Theory]
    [InlineData("asap")]
    [InlineData("dringend")]
    [InlineData("heute noch")]
    public void Decide_UrgencyCue_High(string cue) =>
        Assert.Equal(Urgency.High, Decide(Waiting(["question"], cues: [cue])).Urgency);

    [Fact]
    public void Decide_VipContact_High() =>
        Assert.Equal(Urgency.High, Decide(Waiting(["question"]), Contact(owner: "anna", vip: true)).Urgency);

    [Theory]
    [InlineData("negotiation", 15000, 10000, Urgency.High)]
    [InlineData("negotiation", 8000, 10000, Urgency.Normal)]
    [InlineData("negotiation", 500000, null, Urgency.Normal)]
    [InlineData("quote_sent", 25000, 10000, Urgency.Normal)]
    [InlineData("won", 25000, 10000, Urgency.Normal)]
    public void Decide_DealValue_HighOnlyInNegotiationAboveThreshold(string stage, int value, int? threshold, Urgency expected)
    {
        var contact = Contact(owner: "anna", deal: new DealInfo(stage, value, "EUR"));
        Assert.Equal(expected, Decide(Waiting(["question"]), contact, business: Berlin(threshold)).Urgency);
    }

    [Fact]
    public void Decide_DealWithoutValue_NotHighValue() =>
        Assert.Equal(Urgency.Normal, Decide(Waiting(["question"]), Contact(owner: "anna", deal: new DealInfo("negotiation", null, null)), business: Berlin(1)).Urgency);

    [Theory]
    [InlineData("opening_hours")]
    [InlineData("address")]
    [InlineData("catalogue")]
    public void Decide_EnabledAutomationIntent_AnsweredAutomatically(string intent)
    {
        var d = Decide(Waiting([intent]), business: Berlin(automation: Automated));
        Assert.True(d.NeedsReply);
        Assert.Equal(Handler.Automation, d.Handler);
        Assert.Null(d.Assignee);
    }

    [Fact]
    public void Decide_AutomationIntentNotEnabled_Human()
    {
        var d = Decide(Waiting(["address"]), business: Berlin(automation: ["opening_hours"]));
        Assert.Equal(Handler.Human, d.Handler);
        Assert.Equal("anna", d.Assignee);
    }

    [Fact]
    public void Decide_NoAutomationConfigured_Human() =>
        Assert.Equal(Handler.Human, Decide(Waiting(["opening_hours"])).Handler);

    [Theory]
    [InlineData("today")]
    [InlineData("sofort")]
    public void Decide_AutomationIntentAtHighUrgency_Human(string cue)
    {
        var d = Decide(Waiting(["opening_hours"], cues: [cue]), business: Berlin(automation: Automated));
        Assert.Equal(Urgency.High, d.Urgency);
        Assert.Equal(Handler.Human, d.Handler);
        Assert.Equal("anna", d.Assignee);
    }

    [Fact]
    public void Decide_AutomationIntentFromVip_Human() =>
        Assert.Equal(Handler.Human, Decide(Waiting(["address"]), Contact(owner: "anna", vip: true), business: Berlin(automation: Automated)).Handler);

    [Fact]
    public void Decide_AutomationIntentWithPriceRequest_Human() =>
        Assert.Equal(Handler.Human, Decide(Waiting(["address", "price_request"]), business: Berlin(automation: Automated)).Handler);

    [Fact]
    public void Decide_AutomationIntentThenThanks_StillAutomatic() =>
        Assert.Equal(Handler.Automation, Decide(Waiting(["address", "acknowledgement"]), business: Berlin(automation: Automated)).Handler);

    [Fact]
    public void Decide_OwnerAvailable_GetsItEvenWhenBusiest()
    {
        var d = Decide(Waiting(["question"]), Contact(owner: "anna"), [A("anna", 9), A("ben", 0, languages: "en")]);
        Assert.Equal("anna", d.Assignee);
        Assert.Contains(d.Rules, r => r.Rule == "assignee.owner");
    }

    [Fact]
    public void Decide_OwnerAway_LeastLoadedSpeakerOfLanguage()
    {
        var d = Decide(Waiting(["question"], language: "de"), Contact(owner: "anna"),
            [A("anna", 0, away: true), A("ben", 0, languages: "en"), A("carl", 3, languages: "de"), A("dana", 2)]);
        Assert.Equal("dana", d.Assignee);
    }

    [Fact]
    public void Decide_OwnerOutsideOwnHours_LeastLoadedOther()
    {
        var late = Hours(open: 13, close: 21);
        var d = Decide(Waiting(["question"]), Contact(owner: "anna"), [A("anna", 0, hours: late), A("dana", 5)]);
        Assert.Equal("dana", d.Assignee);
    }

    [Fact]
    public void Decide_OwnerWithinOwnHours_GetsIt()
    {
        var early = Hours(open: 7, close: 15);
        Assert.Equal("anna", Decide(Waiting(["question"]), Contact(owner: "anna"), [A("anna", 0, hours: early), A("dana", 0)]).Assignee);
    }

    [Fact]
    public void Decide_NoContactOwner_DealOwnerGetsIt()
    {
        var contact = Contact(owner: null, deal: new DealInfo("quote_sent", 3000, "EUR", Owner: "carl"));
        Assert.Equal("carl", Decide(Waiting(["question"]), contact, [A("ben", 0), A("carl", 6)]).Assignee);
    }

    [Fact]
    public void Decide_NoOwner_TieBrokenById()
    {
        var d = Decide(Waiting(["question"]), Contact(owner: null), [A("mia", 2, languages: "en"), A("zoe", 1, languages: "de"), A("leo", 2)]);
        Assert.Equal("leo", d.Assignee);
    }

    [Fact]
    public void Decide_NoOneSpeaksLanguage_LeastLoadedAvailableAgent()
    {
        var d = Decide(Waiting(["question"], language: "en"), Contact(owner: null),
            [A("carl", 3, languages: "de"), A("hans", 1, languages: "de"), A("ute", 0, away: true, languages: "de")]);
        Assert.Equal("hans", d.Assignee);
    }

    [Fact]
    public void Decide_AwayAgentsIgnored_EvenWhenLeastLoaded()
    {
        var d = Decide(Waiting(["question"]), Contact(owner: null), [A("abe", 0, away: true), A("bea", 4)]);
        Assert.Equal("bea", d.Assignee);
    }

    [Fact]
    public void Decide_NobodyAvailableWithOwner_WaitsForOwner()
    {
        var d = Decide(Waiting(["question"]), Contact(owner: "anna"), [A("anna", 0, away: true), A("ben", 0, away: true)]);
        Assert.Equal("anna", d.Assignee);
    }

    [Fact]
    public void Decide_NoAgents_NoAssignee()
    {
        var d = Decide(Waiting(["question"]), Contact(owner: null), []);
        Assert.Equal(Handler.Human, d.Handler);
        Assert.Null(d.Assignee);
    }

    [Fact]
    public void Decide_MessageAtNight_ClockStartsAtOpening()
    {
        // Tue 22:00 CET -> Wed 09:00 CET (08:00Z) + 1 h.
        var d = Decide(Waiting(["question"], since: "2026-03-10T21:00Z"), now: "2026-03-10T21:01Z");
        Assert.Equal(Utc("2026-03-11T09:00Z"), d.RespondBy);
    }

    [Fact]
    public void Decide_ComplaintFridayEvening_DueMondayMorning()
    {
        var d = Decide(Waiting(["complaint"], since: "2026-03-13T16:55Z"), now: "2026-03-13T17:00Z");
        // 5 min Friday (until 18:00 CET = 17:00Z), 10 min Monday from 09:00 CET.
        Assert.Equal(Utc("2026-03-16T08:10Z"), d.RespondBy);
    }

    [Fact]
    public void Decide_ReplyOwedEarlier_ClockRunsFromFirstRequest()
    {
        var c = Waiting(["question", "question"], since: "2026-03-10T09:00Z") with { LastMessageAt = Utc("2026-03-10T09:40Z") };
        Assert.Equal(Utc("2026-03-10T10:00Z"), Decide(c, now: "2026-03-10T09:45Z").RespondBy);
    }

    [Fact]
    public void Decide_ClosedDate_SkippedBySla()
    {
        var business = Berlin(hours: Hours(closed: ["2026-04-03", "2026-04-06"]));
        var d = Decide(Waiting(["question"], since: "2026-04-02T15:45Z"), business: business, now: "2026-04-02T15:46Z");
        Assert.Equal(Utc("2026-04-07T07:45Z"), d.RespondBy);
    }

    [Fact]
    public void Decide_CustomSla_Used()
    {
        var business = Berlin() with { Sla = new SlaPolicy(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(8)) };
        Assert.Equal(Utc("2026-03-10T09:30Z"), Decide(Waiting(["question"]), business: business).RespondBy);
    }

    [Fact]
    public void Decide_EveryDecision_ExplainsItself()
    {
        var d = Decide(Waiting(["complaint"], cues: ["dringend"]), Contact(owner: "anna", vip: true));
        var ids = d.Rules.Select(r => r.Rule).ToList();
        Assert.Contains("needsReply.open-request", ids);
        Assert.Contains("urgency.complaint", ids);
        Assert.Contains("urgency.cue", ids);
        Assert.Contains("urgency.vip", ids);
        Assert.Contains("assignee.owner", ids);
        Assert.Contains("respondBy.sla-high", ids);
        Assert.All(d.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r)));
    }

    [Fact]
    public void Decide_LanguageOfConversation_Reported()
    {
        var d = Decide(Waiting(["question"], language: "de"));
        Assert.Equal("de", d.Language);
        Assert.Equal("question", d.Intent);
    }

    [Fact]
    public void Decide_AgentAvailability_UsesAgentZone()
    {
        // An agent in New York working 09:00–17:00 there is not available at 10:00 Berlin (04:00 New York).
        var newYorkHours = new WorkingHours("America/New_York", Weekdays, new LocalTime(9, 0), new LocalTime(17, 0));
        var d = Decide(Waiting(["question"]), Contact(owner: "kim"), [A("kim", 0, hours: newYorkHours), A("dana", 3)]);
        Assert.Equal("dana", d.Assignee);
    }
}
