namespace Threadline.Pipeline.Routing.Rules;

/// <summary>A language the rules know: the countries that suggest it and the words that give it away.</summary>
public sealed record LanguageRule(string Code, IReadOnlySet<string> Countries, IReadOnlySet<string> Markers);

/// <summary>One intent rule: phrases per language, matched anywhere (<see cref="Any"/>) or as the whole message (<see cref="Only"/>).</summary>
/// <param name="Unless">Phrases blanked out before this rule looks: "no problem" is not a complaint.</param>
/// <param name="OtherWords">For <see cref="Only"/>: how many words that are neither phrases nor fillers may stand beside them.</param>
public sealed record IntentRule(
    string Intent, int Line,
    IReadOnlyDictionary<string, PhraseSet> Any,
    IReadOnlyDictionary<string, PhraseSet> Only,
    IReadOnlyDictionary<string, PhraseSet> Unless,
    int OtherWords);

/// <summary>Phrases by language.</summary>
public sealed record PhrasesByLanguage(IReadOnlyDictionary<string, PhraseSet> ByLanguage)
{
    public static readonly PhrasesByLanguage None = new(new Dictionary<string, PhraseSet>());

    public PhraseSet For(string language) => ByLanguage.GetValueOrDefault(language) ?? PhraseSet.Empty;
}

/// <summary>
/// The message-understanding rules, loaded from YAML (<see cref="RuleSetLoader"/>): languages, intents in priority
/// order, fillers, urgency cues, what message types mean, and how our outbound messages are read. Data, not code:
/// the defaults ship embedded (<c>default-rules.yaml</c>) and a business may replace them with its own file.
/// </summary>
public sealed record RuleSet(
    string Source,
    IReadOnlyDictionary<string, LanguageRule> Languages,
    IReadOnlyDictionary<string, string> Types,
    string? EmojiOnly,
    IReadOnlySet<string> NoReply,
    IReadOnlyList<IntentRule> Intents,
    PhrasesByLanguage Fillers,
    PhrasesByLanguage Urgency,
    PhrasesByLanguage OutboundHesitation,
    PhrasesByLanguage OutboundClosing)
{
    /// <summary>Intents that need no rule: nothing matched, a system notice, a deleted message, media without words.</summary>
    public const string Other = "other", System = "system", Withdrawn = "withdrawn", Media = "media";

    public static readonly IReadOnlySet<string> BuiltInIntents = new HashSet<string> { Other, System, Withdrawn, Media };

    private static readonly Lazy<RuleSet> Defaults = new(() =>
    {
        using var stream = typeof(RuleSet).Assembly.GetManifestResourceStream("Threadline.Pipeline.Routing.Rules.default-rules.yaml")
            ?? throw new InvalidOperationException("default-rules.yaml is not embedded");
        using var reader = new StreamReader(stream);
        var load = RuleSetLoader.Parse(reader.ReadToEnd(), "default-rules.yaml");
        return load.Rules ?? throw new InvalidOperationException("the shipped rules are invalid: " + string.Join("; ", load.Errors));
    });

    /// <summary>The rules that ship with the product.</summary>
    public static RuleSet Default => Defaults.Value;

    /// <summary>The embedded default rules file, for <c>threadline rules show</c> and for a business to start its own from.</summary>
    public static string DefaultYaml()
    {
        using var stream = typeof(RuleSet).Assembly.GetManifestResourceStream("Threadline.Pipeline.Routing.Rules.default-rules.yaml")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Phrases that negate an urgency cue ("not urgent", "keine Eile"): blanked out before cues are looked for.</summary>
    public PhrasesByLanguage NotUrgent { get; init; } = PhrasesByLanguage.None;

    public IEnumerable<string> AllIntents => Intents.Select(i => i.Intent).Concat(BuiltInIntents);
}
