using FsCheck;
using FsCheck.Fluent;
using Threadline.Pipeline.History;

namespace Threadline.Tests.History;

/// <summary>Properties: any input parses without throwing, and a modelled file parses exactly as the model says.</summary>
public class ChatExportPropertyTests
{
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(1000);

    /// <summary>Invariants of any result: line numbers in range and in order, nothing both a message and a problem.</summary>
    private static bool WellFormed(ChatExport e)
    {
        var entryLines = e.Messages.Select(m => m.Line).Concat(e.SystemLines.Select(s => s.Line)).ToList();
        var problemLines = e.Unreadable.Select(p => p.Line).ToList();
        return entryLines.Concat(problemLines).All(l => l >= 1 && l <= e.Lines)
            && entryLines.Concat(problemLines).Distinct().Count() == entryLines.Count + problemLines.Count
            && e.Messages.Select(m => m.Line).SequenceEqual(e.Messages.Select(m => m.Line).Order())
            && e.Messages.All(m => m.Author.Length > 0 && m.Fingerprint.Length == 64)
            && e.Authors.SequenceEqual(e.Messages.Select(m => m.Author).Distinct());
    }

    [Fact]
    public void AnyString_ParsesWithoutThrowing()
    {
        Check.One(Many, Prop.ForAll(ArbMap.Default.ArbFor<string>(), s =>
            WellFormed(ChatExportParser.Parse(s ?? "", "Europe/Berlin"))));
    }

    [Fact]
    public void TimestampLookalikes_ParseWithoutThrowing()
    {
        // Strings made of what headers are made of, so the header pattern and the date checks are exercised hard.
        const string alphabet = "0123456789012345/.-:,[] APMapm.-klo\u200E\u200F\u202F\u00A0\uFEFF\n\r\n";
        var lookalikes = Gen.Elements(alphabet.ToCharArray()).ListOf().Select(cs => new string(cs.ToArray())).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(lookalikes, s =>
            WellFormed(ChatExportParser.Parse(s, "America/New_York", dayFirst: false))));
    }

    private enum Kind { Valid, BadDate, Noise, Blank }

    private static readonly Gen<(Kind Kind, string Line)> LineGen = Gen.OneOf(
        from day in Gen.Choose(13, 28)
        from minute in Gen.Choose(0, 59)
        from ios in Gen.Elements(false, true)
        from n in Gen.Choose(0, 999)
        select (Kind.Valid, ios ? $"\u200E[{day}/11/2024, 10:{minute:D2}:05] Ann: msg {n}" : $"{day}.11.24, 10:{minute:D2} - Ann: msg {n}"),
        Gen.Elements(
            (Kind.BadDate, "32/01/2024, 10:00 - Bob: bad"),
            (Kind.BadDate, "[31/12/2024, 25:00:00] Bob: bad"),
            (Kind.BadDate, "30/02/24, 10:00 - Bob: bad"),
            (Kind.BadDate, "31/12/2024, 10:00 xm - Bob: bad")),
        from chars in Gen.Elements("abc xyz.,:-[]()!?üß😀/0123".ToCharArray()).ListOf()
        select (Kind.Noise, "n" + new string(chars.ToArray())),
        Gen.Elements((Kind.Blank, ""), (Kind.Blank, "   "), (Kind.Blank, "\u200E")));

    [Fact]
    public void MixturesOfValidLinesAndNoise_ParseAsTheModelSays()
    {
        Check.One(Many, Prop.ForAll(LineGen.ListOf().ToArbitrary(), lines =>
        {
            var export = ChatExportParser.Parse(string.Concat(lines.Select(l => l.Line + "\n")), "Europe/Berlin");

            // The model: a valid line opens a message, continuation lines join it (blank ones only when more follows),
            // a bad date opens a problem, and noise with no readable line before it is a problem.
            var messages = new List<(int Line, List<string> Body)>();
            var problems = new List<int>();
            Kind? open = null;
            var blanks = new List<string>();
            for (var i = 0; i < lines.Count; i++)
            {
                var (kind, line) = lines[i];
                if (kind is Kind.Valid or Kind.BadDate) { open = kind; blanks.Clear(); }
                if (kind == Kind.Valid) messages.Add((i + 1, [line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]]));
                else if (kind == Kind.BadDate) problems.Add(i + 1);
                else if (kind == Kind.Blank) blanks.Add(line.Replace("\u200E", ""));
                else if (open == Kind.Valid) { messages[^1].Body.AddRange(blanks); messages[^1].Body.Add(line); blanks.Clear(); }
                else problems.Add(i + 1);
            }
            return WellFormed(export)
                && export.Lines == lines.Count
                && export.Messages.Select(m => (m.Line, m.Text)).SequenceEqual(messages.Select(m => (m.Line, (string?)string.Join("\n", m.Body))))
                && export.Unreadable.Select(p => p.Line).SequenceEqual(problems)
                && (messages.Count == 0 || export.DayFirst && !export.DateOrderAssumed);
        }));
    }
}
