using System.Globalization;
using NodaTime;

namespace Threadline.Pipeline.Business;

/// <summary>Working hours as people write them: days "Mon,Tue,…" (or "Mon-Fri"), times "09:00" and "18:00" (or "24:00").</summary>
public static class WorkingHoursText
{
    private static readonly string[] Names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>The hours, or null when no days are given. Throws <see cref="FormatException"/> with the reason for text that cannot be read.</summary>
    public static WorkingHours? Parse(string? days, string? open, string? close, string timeZone, IEnumerable<LocalDate>? closedDates = null)
    {
        if (string.IsNullOrWhiteSpace(days)) return null;
        try
        {
            return new WorkingHours(timeZone, Days(days), Time(open ?? "09:00"), close is null or "24:00" ? (close is null ? new LocalTime(18, 0) : null) : Time(close), closedDates);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    public static IReadOnlyList<IsoDayOfWeek> Days(string text)
    {
        var result = new List<IsoDayOfWeek>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            int from = Day(range[0]), to = range.Length > 1 ? Day(range[1]) : from;
            for (int d = from; ; d = d % 7 + 1)
            {
                result.Add((IsoDayOfWeek)d);
                if (d == to) break;
            }
        }
        return result.Distinct().ToList();
    }

    private static int Day(string name)
    {
        string key = name.Length >= 3 ? name[..3].ToLowerInvariant() : name.ToLowerInvariant();
        int i = Array.IndexOf(Names, key);
        return i >= 0 ? i + 1 : throw new FormatException($"'{name}' is not a weekday (Mon … Sun)");
    }

    public static LocalTime Time(string text) =>
        TimeOnly.TryParseExact(text.Trim(), ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? new LocalTime(t.Hour, t.Minute, t.Second)
            : throw new FormatException($"'{text}' is not a time of day (HH:mm)");

    public static string Format(IEnumerable<IsoDayOfWeek> days) =>
        string.Join(",", days.Order().Select(d => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Names[(int)d - 1])));
}
