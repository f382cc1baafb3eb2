using System.Text.RegularExpressions;

namespace Threadline.Pipeline.History;

/// <summary>
/// What a message body is: media placeholders ("&lt;Media omitted&gt;", "IMG-…jpg (file attached)", "image omitted",
/// "&lt;attached: …&gt;" and German equivalents), deleted-message notices, or text. Also recognises the system notices
/// iOS writes with the chat's name as author and a U+200E mark before the text.
/// </summary>
internal static partial class ChatExportContent
{
    private static readonly string[] DeletedNotices =
        ["This message was deleted", "You deleted this message", "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"];

    private static readonly string[] EditedMarkers = ["<This message was edited>", "<Diese Nachricht wurde bearbeitet>"];

    public readonly record struct Content(string Type, string? Text, string? FileName);

    /// <summary>Classifies a (possibly multi-line) body; a media placeholder's following lines are its caption.</summary>
    public static Content Classify(string body)
    {
        var newline = body.IndexOf('\n');
        var first = Fold(newline < 0 ? body : body[..newline]).Trim();
        var caption = newline < 0 ? null : body[(newline + 1)..];
        if (string.IsNullOrWhiteSpace(caption)) caption = null;

        if (caption is null && first.Length <= 40 && DeletedNotices.Any(d => string.Equals(d, first.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)))
            return new Content(ChatExportTypes.Revoke, null, null);
        if (MayBeOmitted(first) && Omitted().Match(first) is { Success: true } omitted)
            return new Content(OmittedType(omitted.Groups["kind"].Value), caption, NullIfEmpty(omitted.Groups["file"].Value));
        if (MayBeAttached(first) && Attached().Match(first) is { Success: true } attached)
        {
            var file = attached.Groups["file"].Value.Trim();
            return new Content(FileType(file), caption, file);
        }
        return new Content(ChatExportTypes.Text, WithoutEditedMarker(body), null);
    }

    /// <summary>Whether a first line (that iOS flagged with a mark) reads as a system notice rather than a message.</summary>
    public static bool IsSystemNotice(string text)
    {
        var folded = Fold(text).Trim();
        return !(MayBeOmitted(folded) && Omitted().IsMatch(folded)) && !(MayBeAttached(folded) && Attached().IsMatch(folded))
            && SystemNotice().IsMatch(folded);
    }

    // Cheap tests that keep ordinary text away from the regexes (most of a chat is text).
    private static bool MayBeOmitted(string s) =>
        s.EndsWith('>') || s.EndsWith("omitted", StringComparison.OrdinalIgnoreCase) || s.EndsWith("weggelassen", StringComparison.OrdinalIgnoreCase);

    private static bool MayBeAttached(string s) => s.EndsWith('>') || s.EndsWith(')');

    private static string Fold(string s) => s.Replace('\u00A0', ' ').Replace('\u202F', ' ');

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s.Trim();

    private static string WithoutEditedMarker(string body)
    {
        foreach (var marker in EditedMarkers)
        {
            if (!body.EndsWith(marker, StringComparison.Ordinal)) continue;
            var cut = body.Length - marker.Length;
            if (cut > 0 && body[cut - 1] is ' ' or '\u00A0' or '\u202F') cut--;
            return body[..cut];
        }
        return body;
    }

    private static string OmittedType(string kind) => kind.ToLowerInvariant() switch
    {
        "image" or "bild" => ChatExportTypes.Image,
        "video" or "gif" => ChatExportTypes.Video,
        "audio" => ChatExportTypes.Audio,
        "sticker" => ChatExportTypes.Sticker,
        "document" or "dokument" => ChatExportTypes.Document,
        "contact card" or "kontaktkarte" => ChatExportTypes.Contacts,
        _ => ChatExportTypes.Media,
    };

    /// <summary>The type of an attachment from WhatsApp's file naming (IMG-/VID-/PTT-/STK- on Android, -PHOTO-/-VIDEO- on iOS) or its extension.</summary>
    internal static string FileType(string file)
    {
        var name = file.ToUpperInvariant();
        if (name.StartsWith("IMG-", StringComparison.Ordinal) || name.Contains("-PHOTO-", StringComparison.Ordinal)) return ChatExportTypes.Image;
        if (name.StartsWith("VID-", StringComparison.Ordinal) || name.Contains("-VIDEO-", StringComparison.Ordinal) || name.Contains("-GIF-", StringComparison.Ordinal)) return ChatExportTypes.Video;
        if (name.StartsWith("PTT-", StringComparison.Ordinal) || name.StartsWith("AUD-", StringComparison.Ordinal) || name.Contains("-AUDIO-", StringComparison.Ordinal)) return ChatExportTypes.Audio;
        if (name.StartsWith("STK-", StringComparison.Ordinal) || name.Contains("-STICKER-", StringComparison.Ordinal)) return ChatExportTypes.Sticker;
        var dot = name.LastIndexOf('.');
        return (dot < 0 ? "" : name[(dot + 1)..]) switch
        {
            "JPG" or "JPEG" or "PNG" or "HEIC" or "GIF" => ChatExportTypes.Image,
            "MP4" or "3GP" or "MOV" or "MKV" or "WEBM" => ChatExportTypes.Video,
            "OPUS" or "OGG" or "M4A" or "MP3" or "AAC" or "AMR" or "WAV" => ChatExportTypes.Audio,
            "WEBP" => ChatExportTypes.Sticker,
            "VCF" => ChatExportTypes.Contacts,
            _ => ChatExportTypes.Document,
        };
    }

    // "<Media omitted>", "image omitted", "Report.pdf • 3 pages document omitted", "Bild weggelassen"
    [GeneratedRegex(
        @"^(?:<(?<kind>Media omitted|Medien ausgeschlossen)>|(?:(?<file>[^•]{1,255}?) • [^•]{0,80}?)?(?:(?<kind>image|video|audio|sticker|GIF|document|Contact card) omitted|(?<kind>Bild|Video|Audio|Sticker|GIF|Dokument|Kontaktkarte) weggelassen))$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Omitted();

    // "IMG-20241231-WA0003.jpg (file attached)", "<attached: 00000003-PHOTO-2024-12-31-21-42-10.jpg>", German "(Datei angehängt)", "<Anhang: …>"
    [GeneratedRegex(
        @"^(?:(?<file>[^<>]{1,255}?) \((?:file attached|Datei angehängt)\)|<(?:attached|Anhang): (?<file>[^<>]{1,255})>)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Attached();

    [GeneratedRegex(
        @"end-to-end encrypted|Ende-zu-Ende-verschlüsselt|created (?:the |this )?group|(?:^| )(?:added|removed) | left$|changed the subject|changed the group|changed this group's|deleted this group's icon|joined using|security code|changed their phone number|changed to \+|now an admin|no longer an admin|missed (?:voice|video) call|disappearing messages|pinned a message|(?:blocked|unblocked) this contact|hinzugefügt|entfernt|hat die Gruppe verlassen|Gruppe .{0,100}?erstellt|Betreff|Sicherheitsnummer|Sicherheitscode|Verpasster (?:Sprach|Video)anruf",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SystemNotice();
}
