using System.ComponentModel.DataAnnotations;
using Threadline.Pipeline.Automation;

namespace Threadline.Configuration;

/// <summary>
/// What automation answers (section <c>Automation</c>). Which intents it may answer is <c>Business:AutomationIntents</c>;
/// the words are here, per intent and language: <c>Automation:Answers:opening_hours:en = "We are open Mon–Fri 9–18."</c>.
/// An enabled intent without an answer in the message's language goes to a person (the decision names the missing answer).
/// </summary>
public sealed class AutomationOptions : IValidatableObject
{
    public const string Section = "Automation";

    /// <summary>intent → language (ISO 639-1) → the text automation sends (at most 4,096 characters).</summary>
    public Dictionary<string, Dictionary<string, string>> Answers { get; set; } = [];

    /// <summary>The answers as the decision stages see them.</summary>
    public AnswerBook ToBook() => new(View());

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> View() =>
        Answers.ToDictionary(a => a.Key, a => (IReadOnlyDictionary<string, string>)a.Value);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        AnswerBook.Validate(View()).Select(e => new ValidationResult(e, [nameof(Answers)]));
}
