namespace Threadline.WhatsApp.Sending;

/// <summary>
/// What the sender does about a refused message. Each value is a different action for the runner (retry now, pause,
/// back off one recipient, fall back to a template, record something about the customer, stop the number), which is
/// why the codes are grouped by reaction rather than by meaning.
/// </summary>
public enum ErrorReaction
{
    /// <summary>Transient: retry with backoff and jitter, and slow down if it keeps happening.</summary>
    Retry,

    /// <summary>The account is in maintenance or being upgraded: wait about a minute, then retry.</summary>
    RetryAfterPause,

    /// <summary>Too many messages to this one customer: back off that pair (see <see cref="Sending.PairBackoff"/>), keep sending to others.</summary>
    PairBackoff,

    /// <summary>The 24-hour window is closed: only a template can reach the customer now.</summary>
    SwitchToTemplate,

    /// <summary>The number cannot receive WhatsApp messages: do not retry, mark the recipient.</summary>
    MarkUndeliverable,

    /// <summary>Nothing will ever make this send work and nothing needs fixing: drop it and log.</summary>
    Drop,

    /// <summary>The customer reached WhatsApp's cap on marketing messages: not now, but not a hard failure either.</summary>
    MarketingCapped,

    /// <summary>The customer stopped marketing messages from us: record the opt-out.</summary>
    MarketingOptOut,

    /// <summary>The media could not be downloaded or uploaded: ask for it again or fix it.</summary>
    FixMedia,

    /// <summary>Our request was wrong (a bug or a bad template call): do not retry, alert a person.</summary>
    Alert,

    /// <summary>The template is paused or disabled: stop using it, fall back, alert.</summary>
    TemplateUnusable,

    /// <summary>The account, token, payment or policy state forbids sending: stop sending from this number and alert.</summary>
    StopSending,
}
