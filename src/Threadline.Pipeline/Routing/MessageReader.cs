using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Pipeline.Routing;

/// <summary>A guess at a message's language when its words do not tell: a stored language, the number's country, the business's first language.</summary>
public sealed record LanguageHint(string Language, string Source);

/// <summary>What one message says, as the rules read it.</summary>
/// <param name="Intent">The first intent (in the rules' priority order) that matched; <c>other</c> when none did.</param>
/// <param name="Intents">Every intent that matched, in priority order.</param>
/// <param name="Language">The language the message is in (or, for a message too short to tell, the best guess).</param>
/// <param name="LanguageSource">How the language was found: <c>words</c>, or the hint's source.</param>
/// <param name="UrgencyCues">Urgency phrases found ("dringend", "asap" …).</param>
/// <param name="Evidence">Why: "complaint: 'defekt' (de)", "type reaction → acknowledgement" …</param>
public sealed record Understanding(
    string Intent, IReadOnlyList<string> Intents, string Language, string LanguageSource, IReadOnlyList<string> UrgencyCues,
    IReadOnlyList<string> Evidence, bool NeedsReply);

/// <summary>
/// Step 4's first half: reads a message with the rules (language, intent, urgency cues). Pure and deterministic: the
/// same rules, text and hints give the same answer, and the answer says which phrases made it.
/// </summary>
public static class MessageReader
{
    private static readonly HashSet<string> WordlessTypes = ["image", "video", "audio", "document", "location", "contacts", "sticker", "media"];

    public static Understanding Read(RuleSet rules, IReadOnlyList<string> languages, string type, string? text, IReadOnlyList<LanguageHint> hints)
    {
        var enabled = languages.Where(rules.Languages.ContainsKey).ToList();
        if (enabled.Count == 0) enabled = rules.Languages.Keys.Take(1).ToList();
        string normalised = text is null ? "" : TextNormaliser.Normalise(text).Trim();
        var (language, languageSource) = DetectLanguage(rules, enabled, normalised, hints);
        var order = enabled.OrderBy(l => l == language ? 0 : 1).ToList();
        var cues = new List<string>();
        string forCues = normalised;
        foreach (var l in order)
            if (rules.NotUrgent.For(l).IsMatch(forCues)) forCues = rules.NotUrgent.For(l).Blank(forCues);
        foreach (var l in order)
            if (rules.Urgency.For(l).FirstMatch(forCues) is { } cue) cues.Add(cue);

        Understanding Result(string intent, IReadOnlyList<string> intents, List<string> evidence) =>
            new(intent, intents, language, languageSource, cues, evidence, !rules.NoReply.Contains(intent));

        // The type decides when it carries no words of its own to read (a reaction's emoji is not a text to understand).
        if (rules.Types.TryGetValue(type, out var byType) && (normalised.Length == 0 || type is "reaction" or "revoke" or "system"))
            return Result(byType, [byType], [$"type {type} → {byType}"]);
        if (normalised.Length == 0)
            return WordlessTypes.Contains(type) || type == "interactive" || type == "button"
                ? Result(RuleSet.Media, [RuleSet.Media], [$"{type} without words"])
                : Result(RuleSet.Other, [RuleSet.Other], [type is "text" ? "empty text" : $"a {type} message Threadline cannot read as text"]);
        if (rules.EmojiOnly is { } emojiIntent && TextNormaliser.HasNoWords(normalised) && !normalised.Contains('?'))
            return Result(emojiIntent, [emojiIntent], [$"emoji or symbols only → {emojiIntent}"]);

        var matched = new List<string>();
        var evidence = new List<string>();
        foreach (var rule in rules.Intents)
        {
            foreach (var l in order)
            {
                if (Match(rules, rule, l, normalised, order) is not { } what) continue;
                matched.Add(rule.Intent);
                evidence.Add($"{rule.Intent}: '{what}' ({l})");
                break;
            }
        }
        if (matched.Count == 0) return Result(RuleSet.Other, [RuleSet.Other], ["no intent rule matched"]);
        return Result(matched[0], matched, evidence);
    }

    private static string? Match(RuleSet rules, IntentRule rule, string language, string text, IReadOnlyList<string> enabled)
    {
        // Every language's exceptions first: "no problem" must not be a complaint because the German rules know "problem*".
        foreach (var l in enabled)
            if (rule.Unless.TryGetValue(l, out var unless) && unless.IsMatch(text)) text = unless.Blank(text);
        if (rule.Any.TryGetValue(language, out var any) && any.FirstMatch(text) is { } hit) return hit;
        // A message that asks something is never just thanks, a goodbye or a greeting.
        if (text.Contains('?')) return null;
        // Scanning is cheap, replacing is not: only a message that contains one of the phrases is taken apart.
        if (!rule.Only.TryGetValue(language, out var only) || !only.IsMatch(text)) return null;
        var found = new List<string>();
        string rest = only.Blank(text, found);
        if (found.Count == 0) return null;
        foreach (var l in enabled) rest = rules.Fillers.For(l).Blank(rest);
        return TextNormaliser.Words(rest).Count() <= rule.OtherWords ? string.Join(" ", found) : null;
    }

    /// <summary>The language whose marker words occur most often; the first hint when no language's words occur (or two tie).</summary>
    public static (string Language, string Source) DetectLanguage(RuleSet rules, IReadOnlyList<string> enabled, string normalised, IReadOnlyList<LanguageHint> hints)
    {
        var scores = enabled.ToDictionary(l => l, _ => 0);
        foreach (var word in TextNormaliser.Words(normalised))
            foreach (var l in enabled)
                if (rules.Languages[l].Markers.Contains(word)) scores[l]++;
        var ranked = scores.OrderByDescending(s => s.Value).ToList();
        if (ranked.Count > 0 && ranked[0].Value > 0 && (ranked.Count == 1 || ranked[0].Value > ranked[1].Value))
            return (ranked[0].Key, "words");
        foreach (var hint in hints)
            if (enabled.Contains(hint.Language)) return (hint.Language, hint.Source);
        return (enabled[0], "business's first language");
    }

    /// <summary>The language a contact's number suggests, from the rules' country lists (null when no enabled language claims the country).</summary>
    public static string? LanguageOfCountry(RuleSet rules, IReadOnlyList<string> enabled, string? region) =>
        region is null ? null : enabled.FirstOrDefault(l => rules.Languages.TryGetValue(l, out var lang) && lang.Countries.Contains(region));
}
