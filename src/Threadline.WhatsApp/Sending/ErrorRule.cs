namespace Threadline.WhatsApp.Sending;

/// <summary>
/// One row of <see cref="GraphErrorPolicy.Rules"/>: the codes it covers, as inclusive ranges because section 8 of the
/// API notes gives a whole block (200–299) alongside single codes.
/// </summary>
public sealed record ErrorRule(IReadOnlyList<(int From, int To)> Codes, ErrorReaction Reaction, string Reason)
{
    /// <summary>A rule for single codes.</summary>
    public ErrorRule(ErrorReaction reaction, string reason, params int[] codes)
        : this([.. codes.Select(c => (c, c))], reaction, reason)
    {
    }

    /// <summary>Adds an inclusive block of codes, for the permission errors Graph numbers 200–299.</summary>
    public ErrorRule AndRange(int from, int to) => this with { Codes = [.. Codes, (from, to)] };

    public bool Covers(int code) => Codes.Any(range => code >= range.From && code <= range.To);
}
