namespace Threadline.Pipeline.Business;

/// <summary>A person who answers conversations, as routing sees them at one moment.</summary>
/// <param name="Languages">Languages the agent answers in (ISO 639-1).</param>
/// <param name="Away">The explicit away switch: an away agent is never available.</param>
/// <param name="Hours">The agent's working hours; null means they follow the business's hours only through <see cref="Away"/>.</param>
/// <param name="OpenConversations">Conversations assigned to the agent that are not closed: the load routing balances.</param>
public sealed record Agent(string Id, IReadOnlyList<string> Languages, bool Away, WorkingHours? Hours, int OpenConversations)
{
    public bool AvailableAt(DateTimeOffset now) => !Away && (Hours is null || Hours.IsOpen(now));

    public bool Speaks(string language) => Languages.Contains(language, StringComparer.OrdinalIgnoreCase);
}
