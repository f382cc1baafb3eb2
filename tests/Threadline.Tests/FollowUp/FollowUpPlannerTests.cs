using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.FollowUp;
using Threadline.Pipeline.Routing;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.FollowUp;

/// <summary>
/// When to follow up a silence. Policy defaults: 3× the contact's median reply delay, at least 4 h, at most 3 days,
/// 1 day without history, ×2 per earlier follow-up, at most 2, in the contact's 09:00–19:00 on the business's working
/// days; free text inside the 24 h window (30 min margin), and free text before it closes over a template less than
/// 12 h after it. Berlin office Mon–Fri; London = UTC in March; Los Angeles is UTC−7 from 2026-03-08.
/// </summary>
public class FollowUpPlannerTests
{
    private const string Uk = "+447700900123", La = "+13105550123", De = "+4915112345678";

    private static FollowUpInput Input(string ourAt = "2026-03-10T10:00Z", string? theirLast = "2026-03-10T09:30Z", long[]? delays = null,
        ContactProfile? contact = null, BusinessProfile? business = null, int sent = 0, TimeSpan? similar = null, string? now = null,
        Silence silence = Silence.Hesitation, string? lastIntent = "question", bool fromAd = false)
    {
        var conversation = Conversation.Open(1, 1, Utc(theirLast ?? ourAt)) with
        {
            LastFrom = Party.Agent,
            LastIntent = lastIntent,
            LastMessageAt = Utc(ourAt),
            LastOutboundAt = Utc(ourAt),
            LastInboundAt = theirLast is null ? null : Utc(theirLast),
            WindowFromAd = fromAd,
            State = ConversationState.WaitingOnThem,
        };
        var history = ContactHistory.Empty(1) with
        {
            ReplyDelays = delays ?? [],
            LastInboundAt = theirLast is null ? null : Utc(theirLast),
            LastOutboundAt = Utc(ourAt),
            AwaitingReplySince = Utc(ourAt),
        };
        return new FollowUpInput(new SilenceReading(silence, new FiredRule("silence.test", "test")), conversation, history,
            contact ?? Contact(Uk), business ?? Berlin(), FollowUpPolicy.Default, sent, similar, Utc(now ?? ourAt).AddMinutes(5));
    }

    private static FollowUpPlan Planned(FollowUpInput input)
    {
        var (plan, rules) = FollowUpPlanner.Plan(input);
        Assert.True(plan is not null, string.Join("\n", rules));
        return plan!;
    }

    private static readonly long[] TwoHours = [7200, 7200, 7200];

    [Theory]
    [InlineData(Silence.Completion)]
    [InlineData(Silence.None)]
    public void Plan_NoHesitation_NoFollowUp(Silence silence) => Assert.Null(FollowUpPlanner.Plan(Input(silence: silence)).Plan);

    [Fact]
    public void Plan_ContactOptedOut_NoFollowUp()
    {
        var (plan, rules) = FollowUpPlanner.Plan(Input(contact: Contact(Uk, optedOut: true)));
        Assert.Null(plan);
        Assert.Contains(rules, r => r.Rule == "followUp.opted-out");
    }

    [Fact]
    public void Plan_LastMessageWasOptOut_NoFollowUp() => Assert.Null(FollowUpPlanner.Plan(Input(lastIntent: "opt_out")).Plan);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Plan_MaxAttemptsSent_NoFollowUp(int sent)
    {
        var (plan, rules) = FollowUpPlanner.Plan(Input(sent: sent));
        Assert.Null(plan);
        Assert.Contains(rules, r => r.Rule == "followUp.max-attempts");
    }

    [Fact]
    public void Plan_MedianReplyDelay_WaitsThreeTimesIt()
    {
        var plan = Planned(Input(delays: TwoHours));
        Assert.Equal(Utc("2026-03-10T16:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Freeform, plan.Kind);
        Assert.Equal(1, plan.Attempt);
    }

    [Fact]
    public void Plan_QuickReplier_NotSoonerThanMinimum() =>
        Assert.Equal(Utc("2026-03-10T14:00Z"), Planned(Input(delays: [600, 600])).At);

    [Fact]
    public void Plan_SlowReplier_NotLaterThanMaximum()
    {
        var plan = Planned(Input(delays: [172800]));
        Assert.Equal(Utc("2026-03-13T10:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Template, plan.Kind);
    }

    [Fact]
    public void Plan_NoOwnHistory_UsesSimilarContacts() =>
        Assert.Equal(Utc("2026-03-10T16:00Z"), Planned(Input(similar: TimeSpan.FromHours(2))).At);

    [Fact]
    public void Plan_NoHistoryAtAll_DefaultOneDay()
    {
        var plan = Planned(Input(theirLast: null));
        Assert.Equal(Utc("2026-03-11T10:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Template, plan.Kind); // they never wrote: no window
    }

    [Fact]
    public void Plan_SecondAttempt_BacksOff()
    {
        Assert.Equal(Utc("2026-03-10T14:00Z"), Planned(Input(delays: [3600])).At);
        var second = Planned(Input(delays: [3600], sent: 1));
        Assert.Equal(Utc("2026-03-10T18:00Z"), second.At);
        Assert.Equal(2, second.Attempt);
    }

    [Fact]
    public void Plan_EveningInContactZone_MovedToTheirMorning()
    {
        // 3 h median -> 9 h after 17:00Z = 02:00Z = 19:00 PDT: after their daytime -> 09:00 PDT = 16:00Z.
        var plan = Planned(Input(ourAt: "2026-03-10T17:00Z", theirLast: "2026-03-10T16:50Z", delays: [10800, 10800], contact: Contact(La)));
        Assert.Equal(Utc("2026-03-11T16:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Freeform, plan.Kind);
    }

    [Fact]
    public void Plan_StoredTimeZone_BeatsNumber()
    {
        var stored = Planned(Input(ourAt: "2026-03-10T09:00Z", theirLast: "2026-03-10T08:30Z", delays: TwoHours,
            contact: Contact(De, timeZone: "Asia/Singapore")));
        Assert.Equal(Utc("2026-03-11T01:00Z"), stored.At); // 23:00 SGT -> 09:00 SGT next day
        var byNumber = Planned(Input(ourAt: "2026-03-10T09:00Z", theirLast: "2026-03-10T08:30Z", delays: TwoHours, contact: Contact(De)));
        Assert.Equal(Utc("2026-03-10T15:00Z"), byNumber.At); // 16:00 Berlin
    }

    [Fact]
    public void Plan_Weekend_MovedToMonday()
    {
        var plan = Planned(Input(ourAt: "2026-03-13T15:00Z", theirLast: "2026-03-13T13:00Z", contact: Contact(De)));
        Assert.Equal(Utc("2026-03-16T08:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Template, plan.Kind);
    }

    [Fact]
    public void Plan_ClosedDate_Skipped()
    {
        // 8 h median -> 24 h -> Wed 11:00 Berlin, but Wednesday is closed -> Thursday 09:00 Berlin.
        var business = Berlin(hours: Hours(closed: ["2026-03-11"]));
        var plan = Planned(Input(delays: [28800], contact: Contact(De), business: business));
        Assert.Equal(Utc("2026-03-12T08:00Z"), plan.At);
    }

    [Fact]
    public void Plan_ShortlyAfterWindowCloses_FreeformBeforeItCloses()
    {
        // Default 1 day -> Wed 10:00Z, 30 min after the window closes (09:30Z): free text at 09:00 London instead.
        var (plan, rules) = FollowUpPlanner.Plan(Input());
        Assert.NotNull(plan);
        Assert.Equal(FollowUpKind.Freeform, plan!.Kind);
        Assert.True(plan.At <= Utc("2026-03-11T09:30Z"), $"{plan.At:o}");
        Assert.True(plan.At >= Utc("2026-03-10T14:00Z"), $"{plan.At:o}");
        Assert.Equal(Utc("2026-03-11T09:00Z"), plan.At);
        Assert.Contains(rules, r => r.Rule == "followUp.before-window-closes");
    }

    [Fact]
    public void Plan_LongAfterWindowClosed_Template()
    {
        var plan = Planned(Input(theirLast: "2026-03-08T09:00Z", delays: TwoHours));
        Assert.Equal(Utc("2026-03-10T16:00Z"), plan.At);
        Assert.Equal(FollowUpKind.Template, plan.Kind);
    }

    [Fact]
    public void Plan_ConversationFromAd_SeventyTwoHourWindow()
    {
        long[] sixteenHours = [57600];
        var fromAd = Planned(Input(delays: sixteenHours, fromAd: true));
        Assert.Equal(Utc("2026-03-12T10:00Z"), fromAd.At);
        Assert.Equal(FollowUpKind.Freeform, fromAd.Kind);
        Assert.Equal(FollowUpKind.Template, Planned(Input(delays: sixteenHours)).Kind);
    }

    [Fact]
    public void Plan_PlannedTimePassed_DueNow()
    {
        var plan = Planned(Input(ourAt: "2026-03-02T10:00Z", theirLast: "2026-03-02T09:30Z", now: "2026-03-10T10:00Z"));
        Assert.Equal(Utc("2026-03-10T10:05Z"), plan.At);
        Assert.Equal(FollowUpKind.Template, plan.Kind);
    }

    [Fact]
    public void Plan_AnyHesitation_LandsInContactDaytimeOnWorkingDayNotBeforeNow()
    {
        string?[] phones = [Uk, La, De, "+6591234567", "+12125550147"];
        string?[] zones = [null, "Pacific/Auckland", "Asia/Singapore", "America/Los_Angeles"];
        var cases =
            (from minute in Gen.Choose(0, 280 * 24 * 60)
             from phone in Gen.Elements(phones)
             from zone in Gen.Elements(zones)
             from theirBefore in Gen.Choose(0, 3 * 24 * 60)
             from median in Gen.Choose(-1, 3 * 24 * 3600)
             from sent in Gen.Choose(0, 1)
             from nowAfter in Gen.Choose(5, 4 * 24 * 60)
             from ad in Gen.Elements(false, true)
             select (minute, phone, zone, theirBefore, median, sent, nowAfter, ad)).ToArbitrary();
        var business = Berlin(hours: Hours(closed: ["2026-04-03", "2026-04-06", "2026-05-01"]));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(cases, c =>
        {
            var ourAt = Utc("2026-02-01T00:00Z").AddMinutes(c.minute);
            var input = Input(ourAt.ToString("o"), ourAt.AddMinutes(-c.theirBefore).ToString("o"), c.median < 0 ? null : [c.median],
                Contact(c.phone, timeZone: c.zone), business, c.sent, null, ourAt.AddMinutes(c.nowAfter).ToString("o"), fromAd: c.ad);
            var plan = FollowUpPlanner.Plan(input).Plan!;
            var zone = DateTimeZoneProviders.Tzdb[ContactClock.For(input.Contact, business).TimeZone];
            var local = Instant.FromDateTimeOffset(plan.At).InZone(zone).TimeOfDay;
            bool daytime = local >= new LocalTime(9, 0) && local < new LocalTime(19, 0);
            bool workingDay = business.Hours.IsWorkingDay(business.Hours.DateOf(Instant.FromDateTimeOffset(plan.At)));
            var windowEnd = ConversationContext.WindowEnd(input.History.LastInboundAt, c.ad)!.Value;
            bool kindFits = plan.Kind == FollowUpKind.Freeform
                ? plan.At <= windowEnd - FollowUpPolicy.Default.WindowMargin
                : plan.At > windowEnd - FollowUpPolicy.Default.WindowMargin;
            return daytime && workingDay && plan.At >= input.Now && kindFits && plan.Attempt == c.sent + 1;
        }));
    }
}
