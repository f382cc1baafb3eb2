using System.Text.Json.Serialization;

namespace Threadline.WhatsApp.Sending;

/// <summary>
/// What Threadline wants to send to one customer, independent of how the Graph API spells it. It is written to the
/// outbox as JSON (<see cref="OutboundContentJson"/>) when the decision is taken and turned into a request body
/// (<see cref="GraphMessageJson"/>) only when the sender gets to it, so it must hold everything needed to send later
/// and nothing that depends on the moment of sending.
/// </summary>
/// <remarks>
/// One flat record with optional fields rather than a type per kind: the outbox stores a single shape, old rows stay
/// readable when a field is added, and <see cref="Validate"/> says which fields each kind needs. Build it through the
/// factories and adjust with <c>with</c> (for example <c>with { QuotedMessageId = … }</c>).
/// Privacy: <see cref="Text"/>, template parameters and titles are personal data; log the kind, never the content.
/// </remarks>
/// <param name="Kind">One of <see cref="OutboundKinds"/>.</param>
public sealed partial record OutboundContent(string Kind)
{
    /// <summary>Body of a text, buttons or list message.</summary>
    public string? Text { get; init; }

    /// <summary>Asks WhatsApp to render a link preview for the first URL in a text message. The default value is false.</summary>
    public bool PreviewUrl { get; init; }

    /// <summary>The approved template's name, exactly as registered with Meta.</summary>
    public string? TemplateName { get; init; }

    /// <summary>The template translation to use, for example <c>en_US</c>; a template exists per language.</summary>
    public string? TemplateLanguage { get; init; }

    /// <summary>Body parameters in order: the first fills <c>{{1}}</c>, the second <c>{{2}}</c>, and so on.</summary>
    public IReadOnlyList<string>? TemplateParameters { get; init; }

    /// <summary>Reply buttons (1–3) of a buttons message.</summary>
    public IReadOnlyList<OutboundButton>? Buttons { get; init; }

    /// <summary>Label of the button that opens a list message's menu.</summary>
    public string? ListButton { get; init; }

    /// <summary>Sections of a list message.</summary>
    public IReadOnlyList<OutboundSection>? Sections { get; init; }

    /// <summary>The customer's message (wamid) a reaction is attached to.</summary>
    public string? ReactToMessageId { get; init; }

    /// <summary>The reaction emoji; the empty string removes an earlier reaction, which is why it is not "missing".</summary>
    public string? Emoji { get; init; }

    /// <summary>The customer's message (wamid) to mark as read (blue ticks).</summary>
    public string? ReadMessageId { get; init; }

    /// <summary>The message (wamid) this one quotes, so the reply shows in context on the customer's phone.</summary>
    public string? QuotedMessageId { get; init; }

    /// <summary>
    /// True when WhatsApp only accepts this inside the 24-hour customer-service window. Templates are the way to reach
    /// a customer outside it and read receipts are not messages; everything else, reactions included, is free-form and
    /// fails with 131047 once the window has closed.
    /// </summary>
    [JsonIgnore]
    public bool NeedsOpenWindow => Kind is not (OutboundKinds.Template or OutboundKinds.Read);

    /// <summary>A plain text message, without a link preview.</summary>
    public static OutboundContent PlainText(string text) => new(OutboundKinds.Text) { Text = text };

    /// <summary>An approved template with its body parameters in order (none when the template has no placeholders).</summary>
    public static OutboundContent Template(string name, string language, params string[] parameters) =>
        new(OutboundKinds.Template) { TemplateName = name, TemplateLanguage = language, TemplateParameters = [.. parameters] };

    /// <summary>A body text with one to three reply buttons.</summary>
    public static OutboundContent ReplyButtons(string text, params OutboundButton[] buttons) =>
        new(OutboundKinds.Buttons) { Text = text, Buttons = [.. buttons] };

    /// <summary>A body text with a menu, opened by <paramref name="button"/>, of up to ten rows in sections.</summary>
    public static OutboundContent List(string text, string button, params OutboundSection[] sections) =>
        new(OutboundKinds.List) { Text = text, ListButton = button, Sections = [.. sections] };

    /// <summary>A reaction to a customer's message; pass <c>""</c> as <paramref name="emoji"/> to remove one.</summary>
    public static OutboundContent Reaction(string messageId, string emoji) =>
        new(OutboundKinds.Reaction) { ReactToMessageId = messageId, Emoji = emoji };

    /// <summary>Marks a customer's message (and the ones before it) as read.</summary>
    public static OutboundContent MarkRead(string messageId) => new(OutboundKinds.Read) { ReadMessageId = messageId };

    /// <summary>
    /// Value equality including the lists' items, so content read back from the outbox equals the content written
    /// (a record compares list properties by reference).
    /// </summary>
    public bool Equals(OutboundContent? other) =>
        other is not null
        && Kind == other.Kind
        && Text == other.Text
        && PreviewUrl == other.PreviewUrl
        && TemplateName == other.TemplateName
        && TemplateLanguage == other.TemplateLanguage
        && SameItems(TemplateParameters, other.TemplateParameters)
        && SameItems(Buttons, other.Buttons)
        && ListButton == other.ListButton
        && SameItems(Sections, other.Sections)
        && ReactToMessageId == other.ReactToMessageId
        && Emoji == other.Emoji
        && ReadMessageId == other.ReadMessageId
        && QuotedMessageId == other.QuotedMessageId;

    public override int GetHashCode() => HashCode.Combine(Kind, Text, TemplateName, ReactToMessageId, ReadMessageId);

    /// <summary>Null and empty stay different: the JSON round trip keeps that difference, so equality must too.</summary>
    internal static bool SameItems<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b));
}
