using NodaTime;

namespace Threadline.Pipeline.History;

/// <summary>
/// Reads the raw timestamp numbers into a local date/time. Exports write dates in the phone's locale order: D/M/Y,
/// M/D/Y (2- or 4-digit years, meaning 20xx for two digits) or ISO Y-M-D; the day/month order is decided once for the
/// whole file, since a single line like 01/02/24 cannot tell.
/// </summary>
internal static class ChatExportDateFormat
{
    private const int MinYear = 1900, MaxYear = 2199;

    /// <summary>A 4-digit first field is an ISO date (year-month-day), whatever the locale.</summary>
    public static bool IsIso(ChatExportStamp s) => s.ALength == 4;

    /// <summary>
    /// Decides the order from every timestamp: a first field above 12 votes day-first, a second field above 12
    /// votes month-first; the majority wins (a mistyped line does not overturn a file). Without votes (or with a tie)
    /// the hint is used, day-first by default, and the order is reported as assumed when any date was ambiguous.
    /// </summary>
    public static (bool DayFirst, bool Assumed) DecideOrder(IEnumerable<ChatExportStamp> stamps, bool? hint)
    {
        int dayVotes = 0, monthVotes = 0;
        var ambiguous = false;
        foreach (var s in stamps)
        {
            if (IsIso(s)) continue;
            if (s.A > 12 && s.B is >= 1 and <= 12) dayVotes++;
            else if (s.B > 12 && s.A is >= 1 and <= 12) monthVotes++;
            else if (s.A <= 12 && s.B <= 12) ambiguous = true;
        }
        if (dayVotes > monthVotes) return (true, false);
        if (monthVotes > dayVotes) return (false, false);
        return (hint ?? true, ambiguous || dayVotes > 0);
    }

    /// <summary>The local date/time of a timestamp, or null with the reason it cannot be read.</summary>
    public static LocalDateTime? Resolve(ChatExportStamp s, bool dayFirst, out string reason)
    {
        int year, month, day;
        if (IsIso(s))
        {
            if (s.CLength > 2) { reason = "date has a 4-digit first field but is not year-month-day"; return null; }
            (year, month, day) = (s.A, s.B, s.C);
        }
        else
        {
            if (s.ALength > 2 || s.CLength is not (2 or 4)) { reason = "date is not day/month/year or month/day/year"; return null; }
            year = s.CLength == 2 ? 2000 + s.C : s.C;
            (day, month) = dayFirst ? (s.A, s.B) : (s.B, s.A);
        }
        if (year is < MinYear or > MaxYear) { reason = $"year {year} is out of range"; return null; }
        if (month is < 1 or > 12) { reason = $"month {month} does not exist ({(dayFirst ? "day" : "month")}-first dates)"; return null; }
        if (day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month)) { reason = $"day {day} does not exist in {year:D4}-{month:D2}"; return null; }

        var hour = s.Hour;
        if (s.Meridiem is { } text)
        {
            var pm = Meridiem(text);
            if (pm is null) { reason = $"'{text.Trim()}' is not an AM/PM marker"; return null; }
            if (hour > 12) { reason = $"hour {hour} with {(pm.Value ? "PM" : "AM")}"; return null; }
            hour = hour % 12 + (pm.Value ? 12 : 0);
        }
        if (hour > 23) { reason = $"hour {hour} does not exist"; return null; }
        if (s.Minute > 59) { reason = $"minute {s.Minute} does not exist"; return null; }
        if (s.Second > 59) { reason = $"second {s.Second} does not exist"; return null; }
        reason = "";
        return new LocalDateTime(year, month, day, hour, s.Minute, s.Second);
    }

    /// <summary>true for PM, false for AM, null when not a marker: AM, am, a.m., a. m., A.M. and German vorm./nachm.</summary>
    private static bool? Meridiem(string text)
    {
        Span<char> letters = stackalloc char[text.Length];
        var n = 0;
        foreach (var c in text)
            if (c is not ('.' or ' ')) letters[n++] = char.ToLowerInvariant(c);
        return letters[..n] switch
        {
            "am" or "vorm" => false,
            "pm" or "nachm" => true,
            _ => null,
        };
    }
}
