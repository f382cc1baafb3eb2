using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

/// <summary>
/// Round trip: random messages rendered the way Android and iOS phones in various locales write them parse back to the
/// same authors, texts and local times.
/// </summary>
public class ChatExportRoundTripTests
{
    private enum DateOrder { DayFirst, MonthFirst, Iso }

    private sealed record Layout(bool Ios, DateOrder Order, bool FourDigitYear, char Separator, bool Pad, bool TwelveHour,
        string Meridiem, string MeridiemSpace, bool Finnish, bool LrmBeforeLines, string Newline, bool Bom);

    private sealed record Sample(string Author, string Text, LocalDateTime Time);

    private static readonly Gen<Layout> Layouts =
        from ios in Gen.Elements(false, true)
        from order in Gen.Elements(DateOrder.DayFirst, DateOrder.MonthFirst, DateOrder.Iso)
        from fourDigits in Gen.Elements(false, true)
        from separator in Gen.Elements('/', '.', '-')
        from pad in Gen.Elements(false, true)
        from twelve in Gen.Elements(false, true)
        from meridiem in Gen.Elements("AM", "am", "a.m.", "a. m.", "A.M.")
        from space in Gen.Elements(" ", "\u202F", "\u00A0", "")
        from finnish in Gen.Elements(false, false, true)
        from lrm in Gen.Elements(false, true)
        from newline in Gen.Elements("\n", "\r\n")
        from bom in Gen.Elements(false, true)
        select new Layout(ios, order, fourDigits, separator, pad, twelve, meridiem, space,
            finnish && order == DateOrder.DayFirst && separator == '.' && !twelve, lrm && ios, newline, bom);

    /// <summary>Strings of min..max text elements of the alphabet (so emoji stay whole surrogate pairs).</summary>
    private static Gen<string> Chars(string alphabet, int min, int max)
    {
        var elements = new List<string>();
        for (var e = StringInfo.GetTextElementEnumerator(alphabet); e.MoveNext();) elements.Add(e.GetTextElement());
        return from n in Gen.Choose(min, max)
               from parts in Gen.Elements(elements.ToArray()).ArrayOf(n)
               select string.Concat(parts);
    }

    private static readonly Gen<string> Authors = Gen.OneOf(
        Gen.Elements("Alice Smith", "Bob", "+44 7700 900123", "José Müller", "李雷", "~ Ann", "O'Brien", "Dr. Who - work", "Zoë 😀"),
        from name in Chars("abcdefghijklmnopqrstuvwxyzÄÖüß 0123456789.'+-()", 1, 20)
        select "A" + name.TrimEnd());

    // Continuation lines must not look like a timestamp, so they never start with a digit or "["; the last line is not blank.
    private static readonly Gen<string> Texts =
        from first in Chars("abc XYZ 0123456789:;,.!?-[]/\"'()😀é\u00A0\t", 0, 40)
        from more in Chars("abc XYZ 0123456789:;,.!?-[]/\"'()😀é\u00A0", 0, 30).Select(l => "w" + l).ListOf()
        from blanks in Gen.Elements(0, 0, 1)
        let lines = more.SelectMany((l, i) => i == 0 && blanks > 0 ? new[] { "", l } : [l]).ToList()
        select lines.Count == 0 && first.Trim().Length == 0 ? "x" + first : string.Join("\n", [first, .. lines]);

    private static readonly Gen<LocalDateTime> Times =
        from days in Gen.Choose(0, 365 * 99)
        from minuteOfDay in Gen.Choose(0, 24 * 60 - 1)
        from second in Gen.Choose(0, 59)
        select new LocalDate(2000, 1, 1).PlusDays(days).At(new LocalTime(minuteOfDay / 60, minuteOfDay % 60, second));

    private static readonly Gen<Sample> Samples =
        from author in Authors
        from text in Texts
        from time in Times
        select new Sample(author, text, time);

    private static string Render(Layout f, Sample s)
    {
        var t = f.Ios ? s.Time : s.Time.PlusSeconds(-s.Time.Second); // Android writes no seconds
        string Two(int n) => f.Pad ? n.ToString("D2", CultureInfo.InvariantCulture) : n.ToString(CultureInfo.InvariantCulture);
        var year = f.FourDigitYear ? t.Year.ToString("D4", CultureInfo.InvariantCulture) : (t.Year % 100).ToString("D2", CultureInfo.InvariantCulture);
        var date = f.Order switch
        {
            DateOrder.Iso => $"{t.Year:D4}-{t.Month:D2}-{t.Day:D2}",
            DateOrder.DayFirst => $"{Two(t.Day)}{f.Separator}{Two(t.Month)}{f.Separator}{year}",
            _ => $"{Two(t.Month)}{f.Separator}{Two(t.Day)}{f.Separator}{year}",
        };
        var timeSep = f.Finnish ? '.' : ':';
        var hour = f.TwelveHour ? (t.Hour % 12 == 0 ? 12 : t.Hour % 12) : t.Hour;
        var time = $"{(f.TwelveHour ? Two(hour) : t.Hour.ToString("D2", CultureInfo.InvariantCulture))}{timeSep}{t.Minute:D2}"
            + (f.Ios ? $"{timeSep}{t.Second:D2}" : "")
            + (f.TwelveHour ? f.MeridiemSpace + (t.Hour < 12 ? f.Meridiem : f.Meridiem.Replace('a', 'p').Replace('A', 'P')) : "");
        var stamp = f.Finnish ? $"{date} klo {time}" : $"{date}, {time}";
        var line = f.Ios ? $"[{stamp}] {s.Author}: {s.Text}" : $"{stamp} - {s.Author}: {s.Text}";
        return (f.LrmBeforeLines ? "\u200E" : "") + line.Replace("\n", f.Newline);
    }

    [Fact]
    public void RenderedMessages_ParseBackToTheSameAuthorsTextsAndTimes()
    {
        var files = from layout in Layouts from samples in Samples.NonEmptyListOf() select (layout, samples);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(files.ToArbitrary(), file =>
        {
            var (f, samples) = file;
            var text = (f.Bom ? "\uFEFF" : "") + string.Join(f.Newline, samples.Select(s => Render(f, s))) + f.Newline;
            var evidence = f.Order != DateOrder.Iso && samples.Any(s => s.Time.Day > 12);
            var actualDayFirst = f.Order != DateOrder.MonthFirst;
            // When the file decides the order, a wrong hint must not matter; otherwise the hint is the truth.
            var export = ChatExportParser.Parse(text, "Europe/Berlin", evidence ? !actualDayFirst : actualDayFirst);

            var expectedTimes = samples.Select(s => f.Ios ? s.Time : s.Time.PlusSeconds(-s.Time.Second));
            return (export.Messages.Select(m => m.Author).SequenceEqual(samples.Select(s => s.Author))
                    && export.Messages.Select(m => m.Text).SequenceEqual(samples.Select(s => s.Text))
                    && export.Messages.All(m => m.Type == "text" && m.FileName is null)
                    && export.Messages.Select(m => m.LocalTime).SequenceEqual(expectedTimes)
                    && export.Unreadable.Count == 0 && export.SystemLines.Count == 0
                    && export.DateOrderAssumed == (f.Order != DateOrder.Iso && !evidence)
                    && (f.Order == DateOrder.Iso || export.DayFirst == actualDayFirst))
                .Label($"layout {f}\n{text}\nparsed {string.Join("\n", export.Messages)}\nproblems {string.Join("\n", export.Unreadable)}");
        }));
    }
}
