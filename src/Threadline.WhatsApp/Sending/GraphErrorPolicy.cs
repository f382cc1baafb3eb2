namespace Threadline.WhatsApp.Sending;

/// <summary>
/// Decides what to do about a refused send from its Graph error code, as a table (section 8 of the API notes) rather
/// than branches, so that checking it against Meta's list is reading it row by row. A pure function: the runner acts.
/// </summary>
public static class GraphErrorPolicy
{
    /// <summary>How long to wait after 131057 (account in maintenance or throughput upgrade).</summary>
    public static TimeSpan MaintenancePause { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Every known code, each in exactly one row.</summary>
    public static IReadOnlyList<ErrorRule> Rules { get; } =
    [
        new(ErrorReaction.Retry, "The phone number is sending faster than its throughput allows; retry with backoff and slow down.",
            130429),
        new(ErrorReaction.Retry, "WhatsApp had an unknown error or was unavailable; retry with backoff, and alert if it persists.",
            131000, 131016),
        new(ErrorReaction.Retry, "The app or account reached its API rate limit; retry with backoff.",
            4, 80007),
        new(ErrorReaction.RetryAfterPause, "The WhatsApp account is in maintenance or being upgraded; retry in about a minute.",
            131057),
        new(ErrorReaction.PairBackoff, "Too many messages to this customer in a short time; back off this customer and keep sending to others.",
            131056),
        new(ErrorReaction.SwitchToTemplate, "More than 24 hours have passed since the customer last wrote; only an approved template can reach them now.",
            131047),
        new(ErrorReaction.MarkUndeliverable, "This number cannot receive WhatsApp messages (not on WhatsApp, an old app, or terms not accepted); do not retry.",
            131026),
        new(ErrorReaction.Drop, "The recipient is our own business number; the message is dropped.",
            131021),
        new(ErrorReaction.MarketingCapped, "The customer has reached WhatsApp's limit of marketing messages for now; do not retry immediately.",
            131049),
        new(ErrorReaction.MarketingOptOut, "The customer has stopped marketing messages from this business; record the opt-out.",
            131050),
        new(ErrorReaction.Drop, "WhatsApp does not support this message type; it will never be accepted, so it is dropped.",
            131051),
        new(ErrorReaction.FixMedia, "The media could not be downloaded or uploaded; send it again or fix the file.",
            131052, 131053),
        new(ErrorReaction.Alert, "WhatsApp says a required parameter is missing or invalid; this is a bug to fix, not something to retry.",
            131008, 131009, 100),
        new(ErrorReaction.Alert, "The template call does not match the template (parameters, name or language, length, policy or format); fix it, do not retry.",
            132000, 132001, 132005, 132007, 132012),
        new(ErrorReaction.TemplateUnusable, "The template is paused or disabled; stop using it and fall back to another.",
            132015, 132016),
        new ErrorRule(ErrorReaction.StopSending, "The account cannot send (permissions, locked account, payment, registration, policy block or expired token); stop sending and alert.",
            131005, 131031, 131042, 131045, 133010, 368, 190, 0, 3, 10).AndRange(200, 299),
    ];

    /// <summary>
    /// The reaction to <paramref name="error"/>. A code the table does not know (including an unreadable answer) falls
    /// back on the HTTP status: 429 and 5xx are the platform's way of saying "later", anything else is most likely our
    /// request and is handed to a person rather than retried forever.
    /// </summary>
    public static ErrorVerdict Classify(GraphError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        foreach (ErrorRule rule in Rules)
        {
            if (rule.Covers(error.Code))
                return new ErrorVerdict(rule.Reaction, rule.Reason, error.Code);
        }

        return error.HttpStatus == 429 || error.HttpStatus >= 500
            ? new ErrorVerdict(ErrorReaction.Retry, $"Unknown error code {error.Code} with HTTP {error.HttpStatus}, which says the service is busy or failing; retry with backoff.", error.Code)
            : new ErrorVerdict(ErrorReaction.Alert, $"Unknown error code {error.Code} with HTTP {error.HttpStatus}; not retried until someone looks at it.", error.Code);
    }

    /// <summary>True when the same request may simply be sent again later.</summary>
    public static bool IsRetryable(ErrorReaction reaction) =>
        reaction is ErrorReaction.Retry or ErrorReaction.RetryAfterPause or ErrorReaction.PairBackoff;

    /// <summary>
    /// True when no message at all should leave this number until a person has fixed the account. Reactions about one
    /// customer (undeliverable, opted out) or one template do not stop the others.
    /// </summary>
    public static bool StopsSending(ErrorReaction reaction) => reaction is ErrorReaction.StopSending;
}
