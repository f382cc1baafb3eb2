namespace Threadline.WhatsApp.Sending;

/// <summary>
/// WhatsApp's refusal of one request, reduced to what decides the reaction: the <paramref name="Code"/> (the only
/// stable part, see <see cref="GraphErrorPolicy"/>), the subcode and details for the log and the agent, and the HTTP
/// status, which only matters when the code is unknown.
/// </summary>
/// <param name="Code">Graph's <c>error.code</c>, or <see cref="Unreadable"/> when the answer could not be read.</param>
/// <param name="Subcode">Graph's <c>error.error_subcode</c>, when present.</param>
/// <param name="Message">Graph's <c>error.message</c> (for people, never to branch on).</param>
/// <param name="Details">Graph's <c>error.error_data.details</c>, the most specific explanation, when present.</param>
/// <param name="HttpStatus">The HTTP status of the answer.</param>
public sealed record GraphError(int Code, int? Subcode, string Message, string? Details, int HttpStatus)
{
    /// <summary>
    /// The code given to an answer that is neither a success nor a Graph error (a proxy's HTML page, an empty body).
    /// Not 0, because 0 is a real Graph code (an authentication failure).
    /// </summary>
    public const int Unreadable = -1;
}
