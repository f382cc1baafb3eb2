using System.Buffers;
using System.Text.RegularExpressions;

namespace Threadline.Pipeline.History;

/// <summary>
/// The timestamp at the start of an export line, as raw numbers: which of the first two date fields is the day is only
/// decided once the whole file has been seen (<see cref="ChatExportDateFormat"/>).
/// </summary>
internal readonly record struct ChatExportStamp(
    int A, int ALength, int B, int C, int CLength, int Hour, int Minute, int Second, string? Meridiem, bool Ios);

/// <summary>
/// One physical line: <see cref="Kept"/> is the line without bidi/format marks (U+200E, U+200F, U+202A–U+202E,
/// U+2066–U+2069, BOM); <see cref="Stamp"/> is set when the line starts with an Android or iOS timestamp, and
/// <see cref="RestStart"/> is where the author/text part begins in <see cref="Kept"/>.
/// </summary>
internal sealed partial class ChatExportLine
{
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\uFEFF\u00A0\u202F");

    private ChatExportLine(string raw, string kept, string folded, List<int>? marks)
    {
        Raw = raw;
        Kept = kept;
        Folded = folded;
        Marks = marks;
    }

    public string Raw { get; }
    /// <summary>The line with bidi/format marks removed (non-breaking spaces kept, as they may be part of the text).</summary>
    public string Kept { get; }
    /// <summary><see cref="Kept"/> with U+00A0 and U+202F folded to spaces (same length); the headers are matched on this.</summary>
    public string Folded { get; }
    /// <summary>Indexes in <see cref="Kept"/> at which a mark was removed; null when there were none.</summary>
    private List<int>? Marks { get; }
    public ChatExportStamp? Stamp { get; private set; }
    public int RestStart { get; private set; }
    public bool IsBlank => string.IsNullOrWhiteSpace(Folded);

    /// <summary>Whether a mark stood right before position <paramref name="index"/> of <see cref="Kept"/> (iOS flags system text so).</summary>
    public bool MarkBefore(int index) => Marks is not null && Marks.Contains(index);

    public static ChatExportLine Scan(string raw)
    {
        var line = Normalise(raw);
        if (line.Folded.Length == 0 || line.Folded[0] is not ('[' or (>= '0' and <= '9'))) return line; // a continuation line
        var m = Header().Match(line.Folded);
        if (m.Success)
        {
            var ap = m.Groups["ap"];
            line.Stamp = new ChatExportStamp(
                Number(m.Groups["a"]), m.Groups["a"].Length, Number(m.Groups["b"]), Number(m.Groups["c"]), m.Groups["c"].Length,
                Number(m.Groups["h"]), Number(m.Groups["m"]), m.Groups["s"].Success ? Number(m.Groups["s"]) : 0,
                ap.Success ? ap.Value : null, m.Groups["ios"].Success);
            line.RestStart = m.Index + m.Length;
        }
        return line;
    }

    private static ChatExportLine Normalise(string raw)
    {
        if (raw.AsSpan().IndexOfAny(Special) < 0) return new ChatExportLine(raw, raw, raw, null);
        var kept = new char[raw.Length];
        var folded = new char[raw.Length];
        List<int>? marks = null;
        var n = 0;
        foreach (var c in raw)
        {
            if (c is '\u200E' or '\u200F' or '\uFEFF' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                (marks ??= []).Add(n);
                continue;
            }
            kept[n] = c;
            folded[n] = c is '\u00A0' or '\u202F' ? ' ' : c;
            n++;
        }
        return new ChatExportLine(raw, new string(kept, 0, n), new string(folded, 0, n), marks);
    }

    private static int Number(Group g)
    {
        var value = 0;
        foreach (var c in g.ValueSpan) value = value * 10 + (c - '0'); // at most 4 ASCII digits: no overflow
        return value;
    }

    // Android: "31/12/2024, 21:41 - "   iOS: "[31/12/2024, 21:41:09] "   Finnish: "31.12.2024 klo 21.41 - "
    // Every part is bounded or anchored, so a line is matched in linear time whatever it contains.
    [GeneratedRegex(
        @"^(?<ios>\[)?(?<a>[0-9]{1,4})(?<sep>[./-])(?<b>[0-9]{1,2})\k<sep>(?<c>[0-9]{1,4})\.?(?:, ?| )(?:klo )?" +
        @"(?<h>[0-9]{1,2})[:.](?<m>[0-9]{2})(?:[:.](?<s>[0-9]{2}))?" +
        @"(?: ?(?<ap>[^\s0-9\]\-–][^\]\-–]{0,11}?))?(?(ios)\] ?| [-–] )",
        RegexOptions.CultureInvariant)]
    private static partial Regex Header();
}
