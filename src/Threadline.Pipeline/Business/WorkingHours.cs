using System.Globalization;
using NodaTime;

namespace Threadline.Pipeline.Business;

/// <summary>
/// Opening hours in a time zone: the same open/close times on the listed weekdays, minus closed dates. Answers the
/// questions the SLA clock, agent availability and follow-up timing ask: is it open at t, when does it next open, and
/// what instant is d of open time after t. Computed on local dates through NodaTime's TZDB, so days on which the
/// clocks change (23 or 25 hours long) count exactly the hours that were open.
/// </summary>
public sealed class WorkingHours
{
    private const int SearchDays = 3 * 366; // a calendar with no open day in three years is refused as "never open"

    public WorkingHours(string timeZone, IEnumerable<IsoDayOfWeek> days, LocalTime open, LocalTime? close, IEnumerable<LocalDate>? closedDates = null)
    {
        Zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? throw new ArgumentException($"unknown time zone '{timeZone}'", nameof(timeZone));
        TimeZone = timeZone;
        Days = days.ToHashSet();
        Open = open;
        Close = close;
        if (close is { } c && c <= open) throw new ArgumentException($"closing time {c:HH:mm} is not after opening time {open:HH:mm}");
        ClosedDates = (closedDates ?? []).ToHashSet();
    }

    /// <summary>Every day, all day: a calendar that never closes.</summary>
    public static WorkingHours Always(string timeZone = "UTC") =>
        new(timeZone, Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None), LocalTime.Midnight, null);

    public DateTimeZone Zone { get; }
    public string TimeZone { get; }
    public IReadOnlySet<IsoDayOfWeek> Days { get; }
    public LocalTime Open { get; }
    /// <summary>Closing time; null means midnight at the end of the day (open until 24:00).</summary>
    public LocalTime? Close { get; }
    public IReadOnlySet<LocalDate> ClosedDates { get; }

    private static readonly NodaTime.TimeZones.ZoneLocalMappingResolver Resolver =
        NodaTime.TimeZones.Resolvers.CreateMappingResolver(NodaTime.TimeZones.Resolvers.ReturnEarlier, NodaTime.TimeZones.Resolvers.ReturnStartOfIntervalAfter);

    public bool IsWorkingDay(LocalDate date) => Days.Contains(date.DayOfWeek) && !ClosedDates.Contains(date);

    /// <summary>The open interval of a date, as instants; null on a closed day.</summary>
    public (Instant Start, Instant End)? IntervalOn(LocalDate date)
    {
        if (!IsWorkingDay(date)) return null;
        // A time inside a spring-forward gap means the first instant after the gap; inside a fall-back overlap, the earlier one.
        var start = Zone.ResolveLocal(date + Open, Resolver).ToInstant();
        var end = Close is { } close ? Zone.ResolveLocal(date + close, Resolver).ToInstant() : Zone.AtStartOfDay(date.PlusDays(1)).ToInstant();
        return (start, end);
    }

    public LocalDate DateOf(Instant t) => t.InZone(Zone).Date;

    public bool IsOpen(DateTimeOffset t)
    {
        var instant = Instant.FromDateTimeOffset(t);
        var date = DateOf(instant);
        // The previous date too: an interval never spans midnight, but this keeps the check obviously right.
        return Contains(IntervalOn(date), instant) || Contains(IntervalOn(date.PlusDays(-1)), instant);
    }

    private static bool Contains((Instant Start, Instant End)? interval, Instant t) => interval is { } i && t >= i.Start && t < i.End;

    /// <summary>t itself when open at t, else the next opening.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset t) => Add(t, TimeSpan.Zero);

    /// <summary>The instant at which <paramref name="duration"/> of open time has passed since <paramref name="from"/>.</summary>
    public DateTimeOffset Add(DateTimeOffset from, TimeSpan duration)
    {
        var t = Instant.FromDateTimeOffset(from);
        var remaining = Duration.FromTimeSpan(duration);
        var date = DateOf(t).PlusDays(-1);
        for (int i = 0; i < SearchDays; i++, date = date.PlusDays(1))
        {
            if (IntervalOn(date) is not var (start, end) || t >= end) continue;
            var s = t > start ? t : start;
            if (s + remaining <= end) return (s + remaining).ToDateTimeOffset();
            remaining -= end - s;
            t = end;
        }
        throw new InvalidOperationException($"working hours in {TimeZone} never open within {SearchDays} days");
    }

    /// <summary>The latest instant at or before t at which it is open (the end of the last interval when closed at t); null if none since <paramref name="notBefore"/>.</summary>
    public DateTimeOffset? LatestOpenAtOrBefore(DateTimeOffset t, DateTimeOffset notBefore)
    {
        var at = Instant.FromDateTimeOffset(t);
        var floor = Instant.FromDateTimeOffset(notBefore);
        var date = DateOf(at).PlusDays(1);
        for (int i = 0; i < SearchDays && date >= DateOf(floor).PlusDays(-1); i++, date = date.PlusDays(-1))
        {
            if (IntervalOn(date) is not var (start, end) || start > at) continue;
            // Open intervals are half-open [start, end): the last open instant before the end is one tick earlier.
            var latest = at < end ? at : end - Duration.Epsilon;
            return latest >= floor ? latest.ToDateTimeOffset() : null;
        }
        return null;
    }

    public override string ToString()
    {
        var days = string.Join(",", Days.OrderBy(d => d).Select(d => d.ToString()[..3]));
        return $"{days} {Open.ToString("HH:mm", CultureInfo.InvariantCulture)}–{(Close is { } c ? c.ToString("HH:mm", CultureInfo.InvariantCulture) : "24:00")} {TimeZone}";
    }
}
