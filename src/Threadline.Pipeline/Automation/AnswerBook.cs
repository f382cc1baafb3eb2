using System.Text.RegularExpressions;

namespace Threadline.Pipeline.Automation;

/// <summary>One automatic answer to send: the intent it answers, in which language, with what words.</summary>
public sealed record AutomaticAnswer(string Intent, string Language, string Text);

/// <summary>
/// The business's automatic answers: for each intent automation may answer, the text to send, per language
/// (configured under <c>Automation:Answers:&lt;intent&gt;:&lt;language&gt;</c>). Routing gives a message to automation only
/// when every question in it has an answer here in the message's language; otherwise a person answers, and the
/// decision says which answer was missing. Automation never answers in a language the buyer did not write in.
/// </summary>
public sealed partial class AnswerBook
{
    /// <summary>WhatsApp's limit for a text message body.</summary>
    public const int MaxTextLength = 4096;

    private readonly Dictionary<string, Dictionary<string, string>> _answers;

    public static readonly AnswerBook Empty = new(new Dictionary<string, IReadOnlyDictionary<string, string>>());

    /// <param name="answers">intent → language (ISO 639-1) → text. Keys are compared without regard to case.</param>
    public AnswerBook(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> answers)
    {
        _answers = new(StringComparer.OrdinalIgnoreCase);
        foreach (var (intent, byLanguage) in answers)
        {
            var texts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (language, text) in byLanguage)
                if (!string.IsNullOrWhiteSpace(text)) texts[language.Trim()] = text.Trim();
            if (texts.Count > 0) _answers[intent.Trim()] = texts;
        }
    }

    /// <summary>The intents that have at least one answer.</summary>
    public IReadOnlyCollection<string> Intents => _answers.Keys;

    /// <summary>The answer to <paramref name="intent"/> in <paramref name="language"/>, or null.</summary>
    public string? Find(string intent, string language) =>
        _answers.TryGetValue(intent, out var texts) && texts.TryGetValue(language, out var text) ? text : null;

    /// <summary>The intents of <paramref name="intents"/> with no answer in <paramref name="language"/>, in their order.</summary>
    public IReadOnlyList<string> Missing(IEnumerable<string> intents, string language) =>
        intents.Where(i => Find(i, language) is null).ToList();

    /// <summary>The answers to <paramref name="intents"/> in <paramref name="language"/>, one per intent, in the order asked; empty when any is missing.</summary>
    public IReadOnlyList<AutomaticAnswer> Compose(IEnumerable<string> intents, string language)
    {
        var answers = new List<AutomaticAnswer>();
        foreach (var intent in intents.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (Find(intent, language) is not { } text) return [];
            answers.Add(new AutomaticAnswer(intent, language, text));
        }
        return answers;
    }

    /// <summary>
    /// Every mistake in a configured book, each naming its key: intents and languages must be plain names
    /// (<c>opening_hours</c>, <c>de</c>), texts non-empty and within WhatsApp's 4,096 characters; an intent must be one
    /// the rules know (when <paramref name="knownIntents"/> is given).
    /// </summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> answers, IReadOnlySet<string>? knownIntents = null)
    {
        var errors = new List<string>();
        foreach (var (intent, byLanguage) in answers)
        {
            if (!IntentName().IsMatch(intent))
                errors.Add($"Automation:Answers:{intent}: an intent is a lowercase name like opening_hours");
            else if (knownIntents is not null && !knownIntents.Contains(intent))
                errors.Add($"Automation:Answers:{intent}: the rules know no such intent (known: {string.Join(", ", knownIntents.Order(StringComparer.Ordinal))})");
            foreach (var (language, text) in byLanguage)
            {
                string key = $"Automation:Answers:{intent}:{language}";
                if (!LanguageCode().IsMatch(language)) errors.Add($"{key}: a language is an ISO 639-1 code like en or de");
                if (string.IsNullOrWhiteSpace(text)) errors.Add($"{key}: the answer is empty");
                else if (text.Trim().Length > MaxTextLength) errors.Add($"{key}: the answer has {text.Trim().Length} characters; WhatsApp allows {MaxTextLength}");
            }
        }
        return errors;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex IntentName();

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex LanguageCode();
}
