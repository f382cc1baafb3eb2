using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.Business;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.Business;

/// <summary>Laws of open-time arithmetic, over calendars chosen to hit weekends, closed dates and both clock changes.</summary>
public class WorkingHoursPropertyTests
{
    private static readonly WorkingHours[] Calendars =
    [
        Hours(closed: ["2026-04-03", "2026-04-06", "2026-10-26"]),
        Hours(open: 0, close: 4, days: EveryDay),           // a night line: its Sunday spans the clock change
        Hours(open: 20, close: 24, days: EveryDay),
        Hours("America/New_York", 9, 17),
        Hours("Europe/Berlin", 1, 3, [NodaTime.IsoDayOfWeek.Sunday]), // only Sundays, 01:00–03:00: on 2026-03-29 just 1 h
    ];

    // Instants at whole minutes around both 2026 clock changes (March 1–April 15 and October 10–November 15).
    private static readonly Gen<DateTimeOffset> Instants =
        from spring in Gen.Elements(true, false)
        from minute in Gen.Choose(0, 45 * 24 * 60)
        select (spring ? Utc("2026-03-01T00:00Z") : Utc("2026-10-10T00:00Z")).AddMinutes(minute);

    private static readonly Gen<TimeSpan> Durations = Gen.Choose(0, 3000).Select(m => TimeSpan.FromMinutes(m));

    private sealed record Case(int Calendar, DateTimeOffset T, TimeSpan A, TimeSpan B)
    {
        public WorkingHours Hours => Calendars[Calendar];
        public override string ToString() => $"{Hours} t={T:o} a={A} b={B}";
    }

    private static readonly Arbitrary<Case> Cases =
        (from c in Gen.Choose(0, Calendars.Length - 1)
         from t in Instants
         from a in Durations
         from b in Durations
         select new Case(c, t, a, b)).ToArbitrary();

    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(500);

    [Fact]
    public void Add_SplitIntoTwoParts_SameAsAddingTheSum()
    {
        // For b = 0 the second Add is NextOpen, which moves a result that ends exactly at a closing time to the next
        // opening; the law is about durations that still have time to count, so b = 0 is checked via NextOpen below.
        Check.One(Many, Prop.ForAll(Cases, c =>
        {
            var whole = c.Hours.Add(c.T, c.A + c.B);
            var split = c.Hours.Add(c.Hours.Add(c.T, c.A), c.B);
            return c.B > TimeSpan.Zero ? whole == split : split == c.Hours.NextOpen(c.Hours.Add(c.T, c.A));
        }));
    }

    [Fact]
    public void Add_ZeroThenDuration_SameAsDuration() =>
        Check.One(Many, Prop.ForAll(Cases, c => c.Hours.Add(c.Hours.Add(c.T, TimeSpan.Zero), c.B) == c.Hours.Add(c.T, c.B)));

    [Fact]
    public void Add_Result_IsNeverInsideClosedTime()
    {
        // Open at the result, or (for a positive duration) exactly at a closing instant: open one tick before.
        Check.One(Many, Prop.ForAll(Cases, c =>
        {
            var r = c.Hours.Add(c.T, c.A);
            bool ok = c.Hours.IsOpen(r) || (c.A > TimeSpan.Zero && c.Hours.IsOpen(r.AddTicks(-1)));
            return ok && r >= c.T;
        }));
    }

    [Fact]
    public void Add_LongerDuration_NeverEarlier() =>
        Check.One(Many, Prop.ForAll(Cases, c => c.Hours.Add(c.T, c.A) <= c.Hours.Add(c.T, c.A + c.B)));

    [Fact]
    public void Add_MatchesMinuteByMinuteCount()
    {
        // An independent oracle: walk minute by minute and count the minutes that are open.
        var small = (from c in Gen.Choose(0, Calendars.Length - 1)
                     from t in Instants
                     from a in Gen.Choose(0, 240)
                     select new Case(c, t, TimeSpan.FromMinutes(a), TimeSpan.Zero)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(small, c =>
        {
            var t = c.T;
            int left = (int)c.A.TotalMinutes;
            while (left > 0 || !c.Hours.IsOpen(t))
            {
                if (left == 0) { t = t.AddMinutes(1); continue; }
                if (c.Hours.IsOpen(t)) left--;
                t = t.AddMinutes(1);
                if (left == 0) break;
            }
            return c.Hours.Add(c.T, c.A) == t;
        }));
    }
}
