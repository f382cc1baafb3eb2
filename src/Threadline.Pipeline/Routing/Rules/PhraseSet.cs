using System.Text;
using System.Text.RegularExpressions;

namespace Threadline.Pipeline.Routing.Rules;

/// <summary>A phrase as written in a rules file, with where it was written.</summary>
public sealed record Phrase(string Text, int Line)
{
    public bool IsRegex => Text.StartsWith("re:", StringComparison.Ordinal);

    /// <summary>The phrase as a regular expression: whole words, any run of spaces between them, a trailing * for any word ending.</summary>
    public string Pattern => IsRegex ? "(?:" + Text[3..] + ")" : WordBefore + Core + WordAfter;

    // Word boundaries by letters and digits (not \b, which does not know that "ü" or "'" can sit inside a word).
    internal const string WordBefore = @"(?<![\p{L}\p{N}])", WordAfter = @"(?![\p{L}\p{N}])";

    /// <summary>The words of a plain phrase as a pattern, without the word boundaries around it.</summary>
    internal string Core
    {
        get
        {
            var text = TextNormaliser.Normalise(Text).Trim();
            bool prefix = text.EndsWith('*');
            if (prefix) text = text[..^1];
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape);
            return string.Join(@"\s+", words) + (prefix ? @"[\p{L}\p{N}'-]*" : "");
        }
    }
}

/// <summary>
/// A set of phrases compiled into one case-insensitive regular expression, so that a message is scanned once per
/// set, not once per phrase. Reports what it matched so a decision can say which words made it.
/// </summary>
public sealed class PhraseSet
{
    public static readonly PhraseSet Empty = new([]);

    private readonly Regex? _regex;

    public PhraseSet(IReadOnlyList<Phrase> phrases)
    {
        Phrases = phrases;
        if (phrases.Count > 0)
            _regex = new Regex(Combined(phrases),
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(250));
    }

    public IReadOnlyList<Phrase> Phrases { get; }

    // One pair of word boundaries around all plain phrases (not one pair per phrase): the engine can then look for the
    // phrases' first letters directly instead of testing a lookbehind at every position. Longer phrases first, so that
    // "thank you" wins over "thank".
    private static string Combined(IReadOnlyList<Phrase> phrases)
    {
        var plain = phrases.Where(p => !p.IsRegex).Select(p => p.Core).Distinct().OrderByDescending(c => c.Length).ToList();
        var parts = new List<string>();
        if (plain.Count > 0) parts.Add(Phrase.WordBefore + "(?:" + string.Join("|", plain) + ")" + Phrase.WordAfter);
        parts.AddRange(phrases.Where(p => p.IsRegex).Select(p => p.Pattern));
        return string.Join("|", parts);
    }

    public bool IsEmpty => _regex is null;

    /// <summary>The first match in a normalised text, or null.</summary>
    public string? FirstMatch(string normalised)
    {
        if (_regex is null) return null;
        var m = _regex.Match(normalised);
        return m.Success ? m.Value.Trim() : null;
    }

    public bool IsMatch(string normalised) => _regex is not null && _regex.IsMatch(normalised);

    public int Count(string normalised) => _regex is null ? 0 : _regex.Count(normalised);

    /// <summary>The text with every match replaced by a space; the matches are returned.</summary>
    public string Blank(string normalised, List<string>? matched = null)
    {
        if (_regex is null) return normalised;
        return _regex.Replace(normalised, m =>
        {
            matched?.Add(m.Value.Trim());
            return " ";
        });
    }
}

/// <summary>How message text is prepared before any rule looks at it.</summary>
public static class TextNormaliser
{
    /// <summary>
    /// Lower case (culture-invariant), typographic apostrophes and quotes folded to ASCII, no-break and narrow spaces
    /// folded to spaces, invisible direction marks removed. Case-insensitive matching alone would miss the rest.
    /// </summary>
    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\u2019' or '\u2018' or '\u02BC' or '\u00B4' or '`': sb.Append('\''); break;
                case '\u201C' or '\u201D' or '\u201E': sb.Append('"'); break;
                case '\u00A0' or '\u202F' or '\u2007' or '\u2009' or '\t' or '\r' or '\n': sb.Append(' '); break;
                case '\u200E' or '\u200F' or '\u200B' or '\uFEFF': break;
                default: sb.Append(char.ToLowerInvariant(c)); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The words of a normalised text: runs of letters and digits (apostrophes inside words kept).</summary>
    public static IEnumerable<string> Words(string normalised)
    {
        int start = -1;
        for (int i = 0; i <= normalised.Length; i++)
        {
            bool inWord = i < normalised.Length && (char.IsLetterOrDigit(normalised[i]) ||
                (normalised[i] == '\'' && start >= 0 && i + 1 < normalised.Length && char.IsLetter(normalised[i + 1])));
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                yield return normalised[start..i];
                start = -1;
            }
        }
    }

    /// <summary>True when the text has no letter or digit at all (emoji, symbols, punctuation, spaces).</summary>
    public static bool HasNoWords(string text)
    {
        foreach (char c in text)
            if (char.IsLetterOrDigit(c)) return false;
        return true;
    }
}
