using System.ComponentModel.DataAnnotations;

namespace Threadline.Configuration;

/// <summary>How the outbox worker sends (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Whether this instance sends. Several instances on PostgreSQL share the outbox (claims skip locked rows).</summary>
    /// <value>The default value is true.</value>
    public bool SendingEnabled { get; set; } = true;

    /// <summary>Messages per second to the Cloud API from this business number (Meta's default limit is 80/s).</summary>
    /// <value>The default value is 80.</value>
    [Range(1, 10_000)]
    public int RatePerSecond { get; set; } = 80;

    /// <summary>Messages sent to one recipient in a burst before the pair limit spacing applies.</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 100)]
    public int PairBurst { get; set; } = 3;

    /// <summary>Spacing between messages to one recipient after a burst (Meta: about one per 6 s).</summary>
    /// <value>The default value is 6 seconds.</value>
    [Range(0, 3600)]
    public double PairIntervalSeconds { get; set; } = 6;

    /// <summary>Rows claimed per pass.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Calls in flight at once (different recipients; one recipient's messages go one after another, in order).</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 1_000)]
    public int MaxParallel { get; set; } = 16;

    /// <summary>How long one HTTP call may take. After that its outcome is unknown: the row becomes unconfirmed, never re-sent blindly.</summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(0.05, 300)]
    public double RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Quick retries inside one pass for throttling and server errors, with exponential backoff and jitter.</summary>
    /// <value>The default value is 2.</value>
    [Range(0, 10)]
    public int QuickRetries { get; set; } = 2;

    /// <summary>First quick-retry delay; later ones double (with jitter). Durable retries after that start at 5 s and double up to 10 min.</summary>
    /// <value>The default value is 200 ms.</value>
    [Range(1, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    /// <summary>Attempts (passes) after which a message that keeps failing is given up as failed.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1_000)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How long an unconfirmed send waits for a status webhook before a person is asked to decide.</summary>
    /// <value>The default value is 15 minutes.</value>
    [Range(0.01, 10_080)]
    public double ConfirmWithinMinutes { get; set; } = 15;

    /// <summary>How often the worker looks for due rows (it is woken at once for rows written in this process).</summary>
    /// <value>The default value is 200 ms.</value>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 200;

    /// <summary>How long a sender may hold claimed rows before its first call (pacing). A claim older than this belongs to
    /// a sender that died before calling: the rows are queued again (nothing was sent). Must exceed BatchSize / RatePerSecond.</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(2, 3600)]
    public int ClaimLeaseSeconds { get; set; } = 30;

    /// <summary>The approved template sent instead of free text when the customer-service window has closed (none: a person takes over).</summary>
    public TemplateOptions? WindowClosedTemplate { get; set; }
}

/// <summary>An approved WhatsApp template: name, language and body parameters (<c>{name}</c> is the contact's name).</summary>
public sealed class TemplateOptions
{
    public string? Name { get; set; }
    public string Language { get; set; } = "en";
    public List<string> Parameters { get; set; } = [];
}
