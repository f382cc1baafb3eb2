namespace Threadline.WhatsApp.Sending;

public sealed partial record OutboundContent
{
    /// <summary>Longest body of a text message, in UTF-16 characters.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Longest body of a buttons or list message.</summary>
    public const int MaxInteractiveBodyLength = 1024;

    public const int MaxButtons = 3;
    public const int MaxButtonTitleLength = 20;
    public const int MaxListButtonLength = 20;

    /// <summary>Rows of all sections together.</summary>
    public const int MaxListRows = 10;

    public const int MaxRowTitleLength = 24;

    /// <summary>
    /// Every reason WhatsApp would reject this content, as sentences an agent or a log reader understands; empty when
    /// it can be sent. Checking before the outbox insert turns what would be a 131008/131009/100 error (an alert, after
    /// a network round trip) into an immediate answer to whoever composed it, and a content that passes here is also
    /// one that survives the outbox JSON unchanged.
    /// </summary>
    /// <remarks>
    /// Lengths are counted in UTF-16 characters (<see cref="string.Length"/>), where an emoji counts two. Meta does not
    /// document how it counts, and erring on the strict side costs an agent a shorter title instead of a failed send.
    /// Fields that the kind does not use are reported too: they would be silently dropped from the request.
    /// </remarks>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (!OutboundKinds.IsKnown(Kind))
        {
            problems.Add($"Kind \"{Kind}\" is not one of {string.Join(", ", OutboundKinds.All)}.");
            return problems;
        }

        switch (Kind)
        {
            case OutboundKinds.Text:
                CheckBody(problems, "A text message", MaxTextLength);
                break;
            case OutboundKinds.Template:
                CheckTemplate(problems);
                break;
            case OutboundKinds.Buttons:
                CheckBody(problems, "A buttons message", MaxInteractiveBodyLength);
                CheckButtons(problems);
                break;
            case OutboundKinds.List:
                CheckBody(problems, "A list message", MaxInteractiveBodyLength);
                CheckList(problems);
                break;
            case OutboundKinds.Reaction:
                RequireId(problems, ReactToMessageId, "A reaction needs ReactToMessageId, the message it reacts to.");
                if (Emoji is null)
                    problems.Add("A reaction needs an Emoji (use \"\" to remove a reaction).");
                else
                    CheckCharacters(problems, "Emoji", Emoji);
                break;
            case OutboundKinds.Read:
                RequireId(problems, ReadMessageId, "A read receipt needs ReadMessageId, the message to mark as read.");
                break;
        }

        CheckQuote(problems);
        CheckUnusedFields(problems);
        return problems;
    }

    private void CheckBody(List<string> problems, string what, int max)
    {
        if (string.IsNullOrWhiteSpace(Text))
            problems.Add($"{what} needs a Text body.");
        else if (Text.Length > max)
            problems.Add($"Text is {Text.Length} characters long; {what.ToLowerInvariant()} allows at most {max}.");
        CheckCharacters(problems, "Text", Text);
    }

    private void CheckTemplate(List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(TemplateName))
            problems.Add("A template message needs a TemplateName.");
        if (string.IsNullOrWhiteSpace(TemplateLanguage))
            problems.Add("A template message needs a TemplateLanguage such as en_US.");
        for (int i = 0; i < (TemplateParameters?.Count ?? 0); i++)
        {
            string? parameter = TemplateParameters![i];
            if (string.IsNullOrEmpty(parameter))
                problems.Add($"Template parameter {i + 1} ({{{{{i + 1}}}}}) is empty; WhatsApp rejects empty parameters.");
            CheckCharacters(problems, $"Template parameter {i + 1}", parameter);
        }
    }

    private void CheckButtons(List<string> problems)
    {
        int count = Buttons?.Count ?? 0;
        if (count is < 1 or > MaxButtons)
            problems.Add($"A buttons message needs 1 to {MaxButtons} buttons, not {count}.");
        HashSet<string> ids = new(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            OutboundButton? button = Buttons![i];
            if (button is null)
            {
                problems.Add($"Button {i + 1} is missing.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(button.Id))
                problems.Add($"Button {i + 1} needs an Id.");
            else if (!ids.Add(button.Id))
                problems.Add($"Button id \"{button.Id}\" is used more than once; replies could not be told apart.");
            CheckTitle(problems, $"Button {i + 1}", button.Title, MaxButtonTitleLength);
        }
    }

    private void CheckList(List<string> problems)
    {
        CheckTitle(problems, "ListButton", ListButton, MaxListButtonLength);
        int sections = Sections?.Count ?? 0;
        if (sections == 0)
            problems.Add("A list message needs at least one section.");

        int rows = 0;
        HashSet<string> ids = new(StringComparer.Ordinal);
        for (int s = 0; s < sections; s++)
        {
            OutboundSection? section = Sections![s];
            if (section?.Rows is null)
            {
                problems.Add($"Section {s + 1} is missing or has no rows list.");
                continue;
            }
            CheckCharacters(problems, $"Section {s + 1} title", section.Title);
            for (int r = 0; r < section.Rows.Count; r++, rows++)
            {
                OutboundRow? row = section.Rows[r];
                string where = $"Row {r + 1} of section {s + 1}";
                if (row is null)
                {
                    problems.Add($"{where} is missing.");
                    continue;
                }
                if (string.IsNullOrWhiteSpace(row.Id))
                    problems.Add($"{where} needs an Id.");
                else if (!ids.Add(row.Id))
                    problems.Add($"Row id \"{row.Id}\" is used more than once; replies could not be told apart.");
                CheckTitle(problems, where, row.Title, MaxRowTitleLength);
                CheckCharacters(problems, $"{where} description", row.Description);
            }
        }

        if (sections > 0 && rows == 0)
            problems.Add("A list message needs at least one row.");
        else if (rows > MaxListRows)
            problems.Add($"A list message has {rows} rows; WhatsApp allows at most {MaxListRows} in all sections together.");
    }

    private void CheckQuote(List<string> problems)
    {
        if (QuotedMessageId is null)
            return;
        if (Kind == OutboundKinds.Read)
            problems.Add("A read receipt cannot quote a message; leave QuotedMessageId unset.");
        else if (string.IsNullOrWhiteSpace(QuotedMessageId))
            problems.Add("QuotedMessageId is empty; leave it unset to send without quoting.");
    }

    private void CheckUnusedFields(List<string> problems)
    {
        void Unused(bool isSet, string field, params string[] usedBy)
        {
            if (isSet && !usedBy.Contains(Kind))
                problems.Add($"{field} is set but a {Kind} message does not use it.");
        }

        Unused(Text is not null, nameof(Text), OutboundKinds.Text, OutboundKinds.Buttons, OutboundKinds.List);
        Unused(PreviewUrl, nameof(PreviewUrl), OutboundKinds.Text);
        Unused(TemplateName is not null, nameof(TemplateName), OutboundKinds.Template);
        Unused(TemplateLanguage is not null, nameof(TemplateLanguage), OutboundKinds.Template);
        Unused(TemplateParameters is { Count: > 0 }, nameof(TemplateParameters), OutboundKinds.Template);
        Unused(Buttons is { Count: > 0 }, nameof(Buttons), OutboundKinds.Buttons);
        Unused(ListButton is not null, nameof(ListButton), OutboundKinds.List);
        Unused(Sections is { Count: > 0 }, nameof(Sections), OutboundKinds.List);
        Unused(ReactToMessageId is not null, nameof(ReactToMessageId), OutboundKinds.Reaction);
        Unused(Emoji is not null, nameof(Emoji), OutboundKinds.Reaction);
        Unused(ReadMessageId is not null, nameof(ReadMessageId), OutboundKinds.Read);
    }

    private static void CheckTitle(List<string> problems, string what, string? title, int max)
    {
        if (string.IsNullOrWhiteSpace(title))
            problems.Add($"{what} needs a title.");
        else if (title.Length > max)
            problems.Add($"{what} title \"{title}\" is {title.Length} characters long; at most {max} are allowed.");
        CheckCharacters(problems, $"{what} title", title);
    }

    private static void RequireId(List<string> problems, string? id, string sentence)
    {
        if (string.IsNullOrWhiteSpace(id))
            problems.Add(sentence);
    }

    /// <summary>
    /// A half of a surrogate pair (typically text cut in the middle of an emoji) cannot be written as UTF-8:
    /// System.Text.Json would silently replace it with U+FFFD, so the customer would see a different text from the
    /// one the agent approved.
    /// </summary>
    private static void CheckCharacters(List<string> problems, string what, string? text)
    {
        if (text is not null && HasLoneSurrogate(text))
            problems.Add($"{what} contains a broken character (half of an emoji or other surrogate pair).");
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return true;
        }
        return false;
    }
}
