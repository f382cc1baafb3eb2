namespace Threadline.WhatsApp.Sending;

/// <summary>
/// The values of <see cref="OutboundContent.Kind"/>. Kept as strings rather than an enum because the kind is stored in
/// outbox rows as JSON: a string stays readable in the database and a renamed enum member cannot silently change it.
/// </summary>
public static class OutboundKinds
{
    public const string Text = "text";
    public const string Template = "template";
    public const string Buttons = "buttons";
    public const string List = "list";
    public const string Reaction = "reaction";
    public const string Read = "read";

    /// <summary>Every kind the sender knows how to turn into a Graph request; anything else is a bug or a corrupt row.</summary>
    public static IReadOnlyList<string> All { get; } = [Text, Template, Buttons, List, Reaction, Read];

    /// <summary>Ordinal, case-sensitive: the stored value must be exactly what the sender switches on.</summary>
    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);
}
