using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Threadline.Pipeline.Routing.Rules;

/// <summary>A mistake in a rules file, at the line (and column) where it was written.</summary>
public sealed record RuleError(string Source, int Line, int Column, string Message)
{
    public override string ToString() => $"{Source}:{Line}:{Column}: {Message}";
}

/// <summary>The result of loading a rules file: the rules, or every mistake found (never both).</summary>
public sealed record RuleSetLoad(RuleSet? Rules, IReadOnlyList<RuleError> Errors)
{
    public bool Ok => Rules is not null;
}

/// <summary>
/// Reads a rules file through YamlDotNet's representation model (not a deserialiser into classes) because every node
/// keeps its position: each validation error names the line it is about. All errors are collected, not just the first.
/// </summary>
public static partial class RuleSetLoader
{
    private static readonly HashSet<string> TopKeys = ["version", "languages", "types", "emojiOnly", "noReply", "intents", "fillers", "urgency", "notUrgent", "outbound"];
    private static readonly HashSet<string> IntentKeys = ["intent", "any", "only", "unless", "otherWords"];

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex IntentName();

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex LanguageCode();

    public static RuleSetLoad Load(string path) => Parse(File.ReadAllText(path), path);

    public static RuleSetLoad Parse(string yaml, string source)
    {
        var errors = new List<RuleError>();
        void Error(YamlNode node, string message) => errors.Add(new RuleError(source, (int)node.Start.Line, (int)node.Start.Column, message));

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            return new RuleSetLoad(null, [new RuleError(source, (int)ex.Start.Line, (int)ex.Start.Column, "not valid YAML: " + ex.Message)]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            return new RuleSetLoad(null, [new RuleError(source, 1, 1, "the file must be a mapping with at least `languages` and `intents`")]);

        foreach (var (key, _) in root.Children)
            if (key is YamlScalarNode { Value: { } k } && !TopKeys.Contains(k))
                Error(key, $"unknown key '{k}' (known: {string.Join(", ", TopKeys)})");

        if (Child(root, "version") is { } version && (version is not YamlScalarNode { Value: "1" }))
            Error(version, "version must be 1");

        // Languages first: every other section refers to them.
        var languages = new Dictionary<string, LanguageRule>(StringComparer.Ordinal);
        if (Child(root, "languages") is not YamlMappingNode languageMap)
            errors.Add(new RuleError(source, (int)root.Start.Line, 1, "missing `languages`: a mapping of language codes to their countries and markers"));
        else
            foreach (var (key, value) in languageMap.Children)
            {
                string code = Scalar(key) ?? "";
                if (!LanguageCode().IsMatch(code)) { Error(key, $"'{code}' is not a language code (ISO 639-1, lower case: en, de …)"); continue; }
                if (value is not YamlMappingNode lang) { Error(value, $"language '{code}' must be a mapping with `countries` and `markers`"); continue; }
                foreach (var (k, _) in lang.Children)
                    if (Scalar(k) is not ("countries" or "markers")) Error(k, $"unknown key '{Scalar(k)}' in language '{code}' (known: countries, markers)");
                var countries = Strings(lang, "countries", Error).Select(s => s.Text.ToUpperInvariant()).ToHashSet();
                foreach (var c in Strings(lang, "countries", Error).Where(c => !Regex.IsMatch(c.Text, "^[A-Za-z]{2}$")))
                    errors.Add(new RuleError(source, c.Line, 1, $"'{c.Text}' is not a two-letter country code"));
                var markers = Strings(lang, "markers", Error).Select(s => TextNormaliser.Normalise(s.Text)).ToHashSet(StringComparer.Ordinal);
                if (markers.Count == 0) Error(value, $"language '{code}' needs `markers`: frequent words that identify it");
                languages[code] = new LanguageRule(code, countries, markers);
            }

        PhraseSet Compile(IReadOnlyList<Phrase> phrases)
        {
            foreach (var p in phrases)
            {
                try { _ = new Regex(p.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant); }
                catch (ArgumentException ex) { errors.Add(new RuleError(source, p.Line, 1, $"'{p.Text}' is not a valid regular expression: {ex.Message}")); }
                if (!p.IsRegex && TextNormaliser.HasNoWords(p.Text.TrimEnd('*')))
                    errors.Add(new RuleError(source, p.Line, 1, $"'{p.Text}' has no words: write it as a regular expression (re:…) if punctuation is meant"));
            }
            return errors.Count > 0 ? PhraseSet.Empty : new PhraseSet(phrases);
        }

        PhrasesByLanguage ByLanguage(YamlNode? node, string what)
        {
            if (node is null) return PhrasesByLanguage.None;
            if (node is not YamlMappingNode map) { Error(node, $"`{what}` must map language codes to lists of phrases"); return PhrasesByLanguage.None; }
            var result = new Dictionary<string, PhraseSet>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                string code = Scalar(key) ?? "";
                if (!languages.ContainsKey(code)) { Error(key, $"`{what}` names language '{code}', which `languages` does not define"); continue; }
                result[code] = Compile(List(value, $"{what}.{code}", Error));
            }
            return new PhrasesByLanguage(result);
        }

        // Intents, in priority order.
        var intents = new List<IntentRule>();
        if (Child(root, "intents") is not YamlSequenceNode intentList || intentList.Children.Count == 0)
            errors.Add(new RuleError(source, (int)root.Start.Line, 1, "missing `intents`: a list of intent rules in priority order"));
        else
            foreach (var item in intentList.Children)
            {
                if (item is not YamlMappingNode rule) { Error(item, "an intent rule must be a mapping with `intent` and `any` and/or `only`"); continue; }
                foreach (var (k, _) in rule.Children)
                    if (!IntentKeys.Contains(Scalar(k) ?? "")) Error(k, $"unknown key '{Scalar(k)}' in an intent rule (known: {string.Join(", ", IntentKeys)})");
                var nameNode = Child(rule, "intent");
                string name = Scalar(nameNode) ?? "";
                if (nameNode is null) { Error(rule, "an intent rule needs `intent: name`"); continue; }
                if (!IntentName().IsMatch(name)) Error(nameNode, $"'{name}' is not an intent name (lower case letters, digits and _)");
                if (RuleSet.BuiltInIntents.Contains(name)) Error(nameNode, $"'{name}' is built in and cannot be a rule");
                if (intents.Any(i => i.Intent == name)) Error(nameNode, $"intent '{name}' is defined twice");
                var any = ByLanguage(Child(rule, "any"), $"{name}.any");
                var only = ByLanguage(Child(rule, "only"), $"{name}.only");
                var unless = ByLanguage(Child(rule, "unless"), $"{name}.unless");
                if (any.ByLanguage.Count == 0 && only.ByLanguage.Count == 0) Error(rule, $"intent '{name}' has no phrases: give `any` and/or `only`");
                int otherWords = 0;
                if (Child(rule, "otherWords") is { } ow && (!int.TryParse(Scalar(ow), out otherWords) || otherWords is < 0 or > 5))
                    Error(ow, "otherWords must be a whole number from 0 to 5");
                intents.Add(new IntentRule(name, (int)rule.Start.Line, any.ByLanguage, only.ByLanguage, unless.ByLanguage, otherWords));
            }

        var known = intents.Select(i => i.Intent).Concat(RuleSet.BuiltInIntents).ToHashSet();
        string? IntentRef(YamlNode node, string what)
        {
            string? value = Scalar(node);
            if (value is null || !known.Contains(value)) { Error(node, $"{what} names intent '{value}', which is not defined (known: {string.Join(", ", known.Order())})"); return null; }
            return value;
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "types") is { } typesNode)
        {
            if (typesNode is not YamlMappingNode typeMap) Error(typesNode, "`types` must map Cloud API message types to intents");
            else foreach (var (k, v) in typeMap.Children)
                    if (IntentRef(v, $"type '{Scalar(k)}'") is { } intent) types[Scalar(k) ?? ""] = intent;
        }
        string? emojiOnly = Child(root, "emojiOnly") is { } e ? IntentRef(e, "emojiOnly") : null;
        var noReply = new HashSet<string>(StringComparer.Ordinal);
        if (Child(root, "noReply") is { } noReplyNode)
            foreach (var p in List(noReplyNode, "noReply", Error))
                if (known.Contains(p.Text)) noReply.Add(p.Text);
                else errors.Add(new RuleError(source, p.Line, 1, $"noReply names intent '{p.Text}', which is not defined"));

        var fillers = ByLanguage(Child(root, "fillers"), "fillers");
        var urgency = ByLanguage(Child(root, "urgency"), "urgency");
        var notUrgent = ByLanguage(Child(root, "notUrgent"), "notUrgent");
        PhrasesByLanguage hesitation = PhrasesByLanguage.None, closing = PhrasesByLanguage.None;
        if (Child(root, "outbound") is { } outbound)
        {
            if (outbound is not YamlMappingNode outMap) Error(outbound, "`outbound` must be a mapping with `hesitation` and `closing`");
            else
            {
                foreach (var (k, _) in outMap.Children)
                    if (Scalar(k) is not ("hesitation" or "closing")) Error(k, $"unknown key '{Scalar(k)}' in `outbound` (known: hesitation, closing)");
                hesitation = ByLanguage(Child(outMap, "hesitation"), "outbound.hesitation");
                closing = ByLanguage(Child(outMap, "closing"), "outbound.closing");
            }
        }

        if (errors.Count > 0) return new RuleSetLoad(null, errors.OrderBy(x => x.Line).ThenBy(x => x.Column).ToList());
        return new RuleSetLoad(new RuleSet(source, languages, types, emojiOnly, noReply, intents, fillers, urgency, hesitation, closing) { NotUrgent = notUrgent }, []);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode s ? s.Value : null;

    private static IReadOnlyList<Phrase> Strings(YamlMappingNode map, string key, Action<YamlNode, string> error) =>
        Child(map, key) is { } node ? List(node, key, error) : [];

    private static IReadOnlyList<Phrase> List(YamlNode node, string what, Action<YamlNode, string> error)
    {
        if (node is not YamlSequenceNode seq) { error(node, $"`{what}` must be a list ([a, b] or one '- item' per line)"); return []; }
        var result = new List<Phrase>();
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text }) result.Add(new Phrase(text, (int)item.Start.Line));
            else error(item, $"every entry of `{what}` must be a non-empty text");
        }
        return result;
    }
}
