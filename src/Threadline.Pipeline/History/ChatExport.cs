using NodaTime;

namespace Threadline.Pipeline.History;

/// <summary>
/// One message of a WhatsApp "Export chat" file.
/// </summary>
/// <param name="Line">1-based line number of the message's timestamped first line.</param>
/// <param name="At">The device-local time resolved to an instant in the import's time zone (leniently across DST changes).</param>
/// <param name="LocalTime">The time as written in the file (no offset; Android exports have no seconds).</param>
/// <param name="Author">The sender as the exporting phone names them (contact name or phone number).</param>
/// <param name="Type">
/// <c>text</c>, <c>image</c>, <c>video</c>, <c>audio</c>, <c>sticker</c>, <c>document</c>, <c>contacts</c>,
/// <c>media</c> (a media placeholder that does not say which kind) or <c>revoke</c> (a deleted message).
/// </param>
/// <param name="Text">The text, multi-line messages joined with <c>\n</c>; null for media without a caption and deleted messages.</param>
/// <param name="FileName">The attachment's file name when the export names it.</param>
/// <param name="Fingerprint">
/// Lowercase SHA-256 hex over local time, author, type, text and the occurrence number of identical (time, author, text)
/// messages: the same file imported twice (or re-exported later with more messages) gives the same fingerprints.
/// </param>
public sealed record ChatExportMessage(
    int Line, DateTimeOffset At, LocalDateTime LocalTime, string Author, string Type, string? Text, string? FileName, string Fingerprint);

/// <summary>A timestamped line without an author: "Alice added Bob", "Messages and calls are end-to-end encrypted…".</summary>
public sealed record ChatExportSystemLine(int Line, LocalDateTime LocalTime, string Text);

/// <summary>A line the parser could not place: before the first timestamp, or with a date/time it cannot read.</summary>
public sealed record ChatExportProblem(int Line, string Reason, string Content);

/// <summary>The result of parsing a whole export.</summary>
/// <param name="Authors">Distinct message authors in order of first appearance.</param>
/// <param name="DayFirst">Whether dates were read day-first (D/M/Y) rather than month-first (M/D/Y).</param>
/// <param name="DateOrderAssumed">True when no date in the file decided the order and the hint (or the default, day-first) was used.</param>
/// <param name="Lines">Number of physical lines read.</param>
public sealed record ChatExport(
    IReadOnlyList<ChatExportMessage> Messages,
    IReadOnlyList<ChatExportSystemLine> SystemLines,
    IReadOnlyList<ChatExportProblem> Unreadable,
    IReadOnlyList<string> Authors,
    bool DayFirst,
    bool DateOrderAssumed,
    int Lines);

/// <summary>Message types the parser assigns (the same names as WhatsApp Cloud API message types where one exists).</summary>
public static class ChatExportTypes
{
    public const string Text = "text";
    public const string Image = "image";
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Sticker = "sticker";
    public const string Document = "document";
    public const string Contacts = "contacts";
    public const string Media = "media";
    public const string Revoke = "revoke";
}
