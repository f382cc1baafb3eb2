namespace Threadline.WhatsApp.Sending;

/// <summary>
/// A titled group of rows in a list message. WhatsApp caps the rows of all sections together (10), not per section,
/// which is why the limit is checked on <see cref="OutboundContent"/> rather than here.
/// </summary>
public sealed record OutboundSection(string Title, IReadOnlyList<OutboundRow> Rows)
{
    /// <summary>Compares rows by value so a section read back from the outbox equals the one written.</summary>
    public bool Equals(OutboundSection? other) =>
        other is not null && Title == other.Title && OutboundContent.SameItems(Rows, other.Rows);

    public override int GetHashCode() => HashCode.Combine(Title, Rows?.Count ?? -1);
}
