using NodaTime;
using Threadline.Pipeline.Business;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.Business;

/// <summary>
/// Business hours arithmetic, expectations computed by hand. Berlin is UTC+1 until 2026-03-29 02:00 (then UTC+2) and
/// again from 2026-10-25 03:00; New York is UTC−5 until 2026-03-08 02:00 (then UTC−4).
/// </summary>
public class WorkingHoursTests
{
    private static readonly WorkingHours Office = Hours();
    // A night line open 00:00–04:00 every day: its Sunday interval spans the clock change.
    private static readonly WorkingHours NightLine = Hours(open: 0, close: 4, days: EveryDay);
    private static readonly WorkingHours Shop = Hours(days: EveryDay);

    [Fact]
    public void Add_WithinOpenHours_ReturnsSameDay() =>
        Assert.Equal(Utc("2026-03-10T10:00Z"), Office.Add(Utc("2026-03-10T09:00Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_PastClosingTime_ContinuesNextMorning() =>
        // Tue 17:30 CET: 30 min Tuesday, 30 min from Wed 09:00 CET (08:00Z).
        Assert.Equal(Utc("2026-03-11T08:30Z"), Office.Add(Utc("2026-03-10T16:30Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_FromNight_StartsAtNextOpening() =>
        Assert.Equal(Utc("2026-03-11T08:15Z"), Office.Add(Utc("2026-03-10T22:00Z"), TimeSpan.FromMinutes(15)));

    [Fact]
    public void Add_FridayEvening_ContinuesOnMonday() =>
        Assert.Equal(Utc("2026-03-16T08:45Z"), Office.Add(Utc("2026-03-13T16:45Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_FromSaturday_StartsMondayMorning() =>
        Assert.Equal(Utc("2026-03-16T12:00Z"), Office.Add(Utc("2026-03-14T11:00Z"), TimeSpan.FromHours(4)));

    [Fact]
    public void Add_SeveralDaysOfWork_CountsOnlyOpenHours() =>
        // Mon 09:00: 9 h Monday, 9 h Tuesday, 2 h Wednesday -> Wed 11:00 CET.
        Assert.Equal(Utc("2026-03-11T10:00Z"), Office.Add(Utc("2026-03-09T08:00Z"), TimeSpan.FromHours(20)));

    [Fact]
    public void Add_OverClosedDates_SkipsThem()
    {
        var easter = Hours(closed: ["2026-04-03", "2026-04-06"]);
        // Thu 17:30 CEST: 30 min Thursday; Good Friday, the weekend and Easter Monday closed; Tue 09:00 CEST = 07:00Z.
        Assert.Equal(Utc("2026-04-07T07:30Z"), easter.Add(Utc("2026-04-02T15:30Z"), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Add_EndingExactlyAtClosingTime_ReturnsClosingInstant() =>
        Assert.Equal(Utc("2026-03-10T17:00Z"), Office.Add(Utc("2026-03-10T16:00Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_OnSpringForwardDay_CountsThreeRealHours()
    {
        var sundayOpen = Utc("2026-03-28T23:00Z"); // 00:00 CET on Sunday 2026-03-29
        Assert.Equal(Utc("2026-03-29T02:00Z"), NightLine.Add(sundayOpen, TimeSpan.FromHours(3))); // 04:00 CEST
        // Half an hour more does not fit on that short night: Monday opens 00:00 CEST = 22:00Z.
        Assert.Equal(Utc("2026-03-29T22:30Z"), NightLine.Add(sundayOpen, TimeSpan.FromHours(3.5)));
    }

    [Fact]
    public void Add_OnFallBackDay_CountsFiveRealHours()
    {
        var sundayOpen = Utc("2026-10-24T22:00Z"); // 00:00 CEST on Sunday 2026-10-25
        Assert.Equal(Utc("2026-10-25T02:00Z"), NightLine.Add(sundayOpen, TimeSpan.FromHours(4))); // 03:00 CET, still open
        Assert.Equal(Utc("2026-10-25T03:00Z"), NightLine.Add(sundayOpen, TimeSpan.FromHours(5))); // 04:00 CET
        Assert.Equal(Utc("2026-10-25T23:30Z"), NightLine.Add(sundayOpen, TimeSpan.FromHours(5.5)));
    }

    [Fact]
    public void Add_AlwaysOpenAcrossSpringForward_CountsElapsedTime() =>
        Assert.Equal(Utc("2026-03-29T23:00Z"), WorkingHours.Always("Europe/Berlin").Add(Utc("2026-03-28T23:00Z"), TimeSpan.FromHours(24)));

    [Fact]
    public void Add_AcrossSpringForwardWeekend_OpensAtSummerTime() =>
        // Sat 17:30 CET, 30 min; Sunday 09:00 CEST = 07:00Z.
        Assert.Equal(Utc("2026-03-29T07:30Z"), Shop.Add(Utc("2026-03-28T16:30Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_AcrossFallBackWeekend_OpensAtWinterTime() =>
        Assert.Equal(Utc("2026-10-25T08:30Z"), Shop.Add(Utc("2026-10-24T15:30Z"), TimeSpan.FromHours(1)));

    [Fact]
    public void Add_NewYorkAcrossItsClockChange_OpensAtDaylightTime()
    {
        var newYork = Hours("America/New_York", 9, 17);
        // Fri 16:30 EST = 21:30Z: 30 min Friday; Monday 09:00 EDT = 13:00Z.
        Assert.Equal(Utc("2026-03-09T13:30Z"), newYork.Add(Utc("2026-03-06T21:30Z"), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Add_CalendarThatNeverOpens_Throws()
    {
        var never = new WorkingHours("Europe/Berlin", [], new LocalTime(9, 0), new LocalTime(18, 0));
        Assert.Throws<InvalidOperationException>(() => never.Add(Utc("2026-03-10T09:00Z"), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void NextOpen_WhenOpen_ReturnsSameInstant() =>
        Assert.Equal(Utc("2026-03-10T12:34Z"), Office.NextOpen(Utc("2026-03-10T12:34Z")));

    [Fact]
    public void NextOpen_AtClosingInstant_ReturnsNextMorning() =>
        Assert.Equal(Utc("2026-03-11T08:00Z"), Office.NextOpen(Utc("2026-03-10T17:00Z")));

    [Fact]
    public void NextOpen_OnSaturday_ReturnsMondayOpening() =>
        Assert.Equal(Utc("2026-03-16T08:00Z"), Office.NextOpen(Utc("2026-03-14T10:00Z")));

    [Fact]
    public void NextOpen_OnSpringForwardSunday_ReturnsMondayAtSummerTime() =>
        Assert.Equal(Utc("2026-03-30T07:00Z"), Office.NextOpen(Utc("2026-03-29T10:00Z")));

    [Fact]
    public void NextOpen_BeforeClosedDate_SkipsIt() =>
        Assert.Equal(Utc("2026-04-07T07:00Z"), Hours(closed: ["2026-04-03", "2026-04-06"]).NextOpen(Utc("2026-04-02T17:00Z")));

    [Theory]
    [InlineData("2026-03-10T08:00:00Z", true)]   // Tue 09:00 CET: opening instant
    [InlineData("2026-03-10T07:59:59Z", false)]
    [InlineData("2026-03-10T16:59:59Z", true)]
    [InlineData("2026-03-10T17:00:00Z", false)]  // 18:00 CET: closing instant is closed
    [InlineData("2026-03-14T10:00:00Z", false)]  // Saturday
    [InlineData("2026-03-30T07:00:00Z", true)]   // Mon 09:00 CEST
    [InlineData("2026-03-30T06:30:00Z", false)]  // Mon 08:30 CEST (would be 07:30 CET)
    [InlineData("2026-10-26T08:00:00Z", true)]   // Mon 09:00 CET
    [InlineData("2026-10-26T07:30:00Z", false)]
    public void IsOpen_OfficeHours_FollowsLocalClock(string at, bool open) => Assert.Equal(open, Office.IsOpen(Utc(at)));

    [Fact]
    public void IsOpen_OnClosedDate_IsFalse() =>
        Assert.False(Hours(closed: ["2026-04-03"]).IsOpen(Utc("2026-04-03T10:00Z")));

    [Theory]
    [InlineData("2026-03-29T01:59:00Z", true)]   // 03:59 CEST
    [InlineData("2026-03-29T02:00:00Z", false)]  // 04:00 CEST
    [InlineData("2026-10-25T02:59:00Z", true)]   // 03:59 CET
    [InlineData("2026-10-25T03:00:00Z", false)]  // 04:00 CET
    [InlineData("2026-10-25T00:30:00Z", true)]   // 02:30 CEST, the first of the two
    [InlineData("2026-10-25T01:30:00Z", true)]   // 02:30 CET, the second
    public void IsOpen_NightLineOnClockChangeDays_FollowsRealTime(string at, bool open) => Assert.Equal(open, NightLine.IsOpen(Utc(at)));

    [Fact]
    public void IntervalOn_SpringForwardSunday_IsThreeHoursLong()
    {
        var (start, end) = NightLine.IntervalOn(Date("2026-03-29"))!.Value;
        Assert.Equal(Duration.FromHours(3), end - start);
    }

    [Fact]
    public void IntervalOn_FallBackSunday_IsFiveHoursLong()
    {
        var (start, end) = NightLine.IntervalOn(Date("2026-10-25"))!.Value;
        Assert.Equal(Duration.FromHours(5), end - start);
    }

    [Fact]
    public void IntervalOn_ClosedDateOrDayOff_IsNull()
    {
        Assert.Null(Hours(closed: ["2026-04-03"]).IntervalOn(Date("2026-04-03")));
        Assert.Null(Office.IntervalOn(Date("2026-03-14")));
    }

    [Fact]
    public void IntervalOn_OpeningTimeInSpringForwardGap_OpensAtFirstInstantAfterGap()
    {
        // 02:30 does not exist on 2026-03-29 in Berlin; WorkingHours documents that it then opens "at the first instant
        // after the gap", i.e. 03:00 CEST = 01:00Z.
        var early = new WorkingHours("Europe/Berlin", EveryDay, new LocalTime(2, 30), new LocalTime(6, 0));
        var (start, _) = early.IntervalOn(Date("2026-03-29"))!.Value;
        Assert.Equal(Instant.FromUtc(2026, 3, 29, 1, 0), start);
    }

    [Fact]
    public void Constructor_CloseNotAfterOpen_Throws() =>
        Assert.Throws<ArgumentException>(() => new WorkingHours("Europe/Berlin", Weekdays, new LocalTime(18, 0), new LocalTime(9, 0)));

    [Fact]
    public void Constructor_UnknownTimeZone_Throws() =>
        Assert.Throws<ArgumentException>(() => new WorkingHours("Mars/Olympus", Weekdays, new LocalTime(9, 0), new LocalTime(18, 0)));

    [Fact]
    public void Add_CloseAt24_CountsUntilMidnight()
    {
        var lateShop = Hours(open: 20, close: 24, days: EveryDay);
        // 23:30 CET + 1 h: 30 min until midnight, 30 min from 20:00 next day (19:00Z).
        Assert.Equal(Utc("2026-03-11T19:30Z"), lateShop.Add(Utc("2026-03-10T22:30Z"), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void LatestOpenAtOrBefore_WhenOpen_ReturnsSameInstant() =>
        Assert.Equal(Utc("2026-03-10T12:00Z"), Office.LatestOpenAtOrBefore(Utc("2026-03-10T12:00Z"), Utc("2026-03-09T00:00Z")));

    [Fact]
    public void LatestOpenAtOrBefore_AtNight_ReturnsJustBeforeClosing()
    {
        var latest = Office.LatestOpenAtOrBefore(Utc("2026-03-10T22:00Z"), Utc("2026-03-09T00:00Z"))!.Value;
        Assert.True(latest < Utc("2026-03-10T17:00Z"));
        Assert.True(latest > Utc("2026-03-10T16:59:59Z"));
        Assert.True(Office.IsOpen(latest));
    }

    [Fact]
    public void LatestOpenAtOrBefore_MondayMorning_ReturnsFridayEvening()
    {
        var latest = Office.LatestOpenAtOrBefore(Utc("2026-03-16T07:00Z"), Utc("2026-03-12T00:00Z"))!.Value;
        Assert.Equal(new DateTime(2026, 3, 13), latest.UtcDateTime.Date);
        Assert.True(Office.IsOpen(latest));
    }

    [Fact]
    public void LatestOpenAtOrBefore_NothingSinceFloor_ReturnsNull() =>
        Assert.Null(Office.LatestOpenAtOrBefore(Utc("2026-03-14T10:00Z"), Utc("2026-03-13T18:00Z")));
}
