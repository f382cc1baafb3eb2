using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Threadline.Pipeline.History;

/// <summary>
/// Parses WhatsApp "Export chat" text files (Android <c>{date}, {time} - {author}: {text}</c> and iOS
/// <c>[{date}, {time}] {author}: {text}</c>, any locale date order, 12/24 h) into messages, system lines and the lines it
/// could not read. Pure: never throws on the file's content, never drops a non-blank line silently.
/// </summary>
public static class ChatExportParser
{
    private const int ProgressEvery = 4096; // lines
    private static readonly LocalDateTimePattern IsoPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss");

    /// <summary>Parses a whole export read from <paramref name="reader"/>.</summary>
    /// <param name="timeZone">IANA zone the phone was in, used to turn local times into instants (ArgumentException if unknown).</param>
    /// <param name="dayFirst">Date order to use when no date in the file decides it; null means day-first.</param>
    /// <param name="progress">Called now and then (and at the end) with the number of characters read so far.</param>
    public static ChatExport Parse(TextReader reader, string timeZone, bool? dayFirst = null, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var zone = (timeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone))
            ?? throw new ArgumentException($"unknown time zone '{timeZone}'", nameof(timeZone));

        var lines = new List<ChatExportLine>();
        long characters = 0;
        while (reader.ReadLine() is { } raw)
        {
            characters += raw.Length + 1;
            if (lines.Count == 0 && raw.StartsWith('\uFEFF')) raw = raw[1..]; // byte order mark
            lines.Add(ChatExportLine.Scan(raw));
            if (progress is not null && lines.Count % ProgressEvery == 0) progress(characters);
        }
        progress?.Invoke(characters);

        var (first, assumed) = ChatExportDateFormat.DecideOrder(lines.Where(l => l.Stamp is not null).Select(l => l.Stamp!.Value), dayFirst);
        var builder = new Builder(zone, first);
        for (var i = 0; i < lines.Count; i++) builder.Add(i + 1, lines[i]);
        builder.Flush();
        return new ChatExport(builder.Messages, builder.SystemLines, builder.Unreadable, builder.Authors, first, assumed, lines.Count);
    }

    /// <summary>Parses an export held in a string.</summary>
    public static ChatExport Parse(string text, string timeZone, bool? dayFirst = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Parse(reader, timeZone, dayFirst);
    }

    /// <summary>Lowercase SHA-256 hex over length-prefixed fields, so no choice of text can make two field lists collide.</summary>
    internal static string Fingerprint(LocalDateTime time, string author, string type, string? text, int occurrence)
    {
        var iso = IsoPattern.Format(time);
        var input = string.Create(CultureInfo.InvariantCulture,
            $"{iso.Length}:{iso}\n{author.Length}:{author}\n{type.Length}:{type}\n{text?.Length ?? -1}:{text}\n{occurrence}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)));
    }

    /// <summary>Groups physical lines into entries: a timestamped line opens one, other lines continue it.</summary>
    private sealed class Builder(DateTimeZone zone, bool dayFirst)
    {
        private enum Kind { None, Message, System, Unreadable }

        private static readonly System.Buffers.SearchValues<char> Quotes = System.Buffers.SearchValues.Create("\"“”«»");

        private readonly Dictionary<(LocalDateTime, string, string?), int> _occurrences = [];
        private readonly HashSet<string> _authorSet = new(StringComparer.Ordinal);
        private readonly List<string> _body = [];
        private readonly List<string> _blanks = [];
        private Kind _kind = Kind.None;
        private int _line;
        private LocalDateTime _time;
        private string _author = "";

        public List<ChatExportMessage> Messages { get; } = [];
        public List<ChatExportSystemLine> SystemLines { get; } = [];
        public List<ChatExportProblem> Unreadable { get; } = [];
        public List<string> Authors { get; } = [];

        public void Add(int number, ChatExportLine line)
        {
            if (line.Stamp is not { } stamp)
            {
                Continue(number, line);
                return;
            }
            Flush();
            var time = ChatExportDateFormat.Resolve(stamp, dayFirst, out var reason);
            if (time is null)
            {
                Unreadable.Add(new ChatExportProblem(number, reason, line.Raw));
                _kind = Kind.Unreadable;
                return;
            }
            (_line, _time) = (number, time.Value);
            // "Alice added Bob" has no "author: "; a colon inside a quoted group subject does not make an author either.
            var colon = line.Folded.IndexOf(": ", line.RestStart, StringComparison.Ordinal);
            var author = colon < 0 ? "" : line.Folded[line.RestStart..colon].Trim();
            if (author.Length == 0 || author.AsSpan().IndexOfAny(Quotes) >= 0)
            {
                _kind = Kind.System;
                _body.Add(line.Kept[line.RestStart..]);
                return;
            }
            var text = line.Kept[(colon + 2)..];
            // iOS writes notices as "[…] Chat name: \u200EAlice added Bob": a mark before the text and a notice's wording.
            _kind = line.MarkBefore(colon + 2) && ChatExportContent.IsSystemNotice(text) ? Kind.System : Kind.Message;
            _author = author;
            _body.Add(text);
        }

        private void Continue(int number, ChatExportLine line)
        {
            if (line.IsBlank)
            {
                if (_kind is Kind.Message or Kind.System) _blanks.Add(line.Kept);
                return;
            }
            switch (_kind)
            {
                case Kind.None:
                    Unreadable.Add(new ChatExportProblem(number, "before the first timestamped line", line.Raw));
                    break;
                case Kind.Unreadable:
                    Unreadable.Add(new ChatExportProblem(number, "continues an unreadable line", line.Raw));
                    break;
                default:
                    _body.AddRange(_blanks);
                    _blanks.Clear();
                    _body.Add(line.Kept);
                    break;
            }
        }

        public void Flush()
        {
            var body = string.Join('\n', _body);
            if (_kind == Kind.System) SystemLines.Add(new ChatExportSystemLine(_line, _time, body));
            else if (_kind == Kind.Message) AddMessage(body);
            _body.Clear();
            _blanks.Clear();
            _kind = Kind.None;
        }

        private void AddMessage(string body)
        {
            var content = ChatExportContent.Classify(body);
            var key = (_time, _author, content.Text);
            var occurrence = _occurrences.GetValueOrDefault(key);
            _occurrences[key] = occurrence + 1;
            var at = zone.AtLeniently(_time).ToDateTimeOffset();
            Messages.Add(new ChatExportMessage(_line, at, _time, _author, content.Type, content.Text, content.FileName,
                Fingerprint(_time, _author, content.Type, content.Text, occurrence)));
            if (_authorSet.Add(_author)) Authors.Add(_author);
        }
    }
}
