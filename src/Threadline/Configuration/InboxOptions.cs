using System.ComponentModel.DataAnnotations;

namespace Threadline.Configuration;

/// <summary>How the inbox worker drains the durable inbox (section <c>Inbox</c>).</summary>
public sealed class InboxOptions
{
    public const string Section = "Inbox";

    /// <summary>Whether this instance processes the inbox. An ingest-only instance (several behind a load balancer on
    /// PostgreSQL) can leave processing to others.</summary>
    /// <value>The default value is true.</value>
    public bool ProcessingEnabled { get; set; } = true;

    /// <summary>Rows taken per transaction, at most: a worker that keeps up takes what has arrived since its last pass,
    /// so only a backlog fills a batch. Larger batches share each commit's fixed work (hot index pages rewritten, the
    /// batch's lookups) among more messages: measured with <c>threadline bench pipeline</c>, 1,024 needs ~24 % less CPU
    /// per message than 256, at up to ~0.2 s per batch under a backlog.</summary>
    /// <value>The default value is 1,024.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1024;

    /// <summary>Failed attempts after which a row is dead-lettered.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// While webhooks are arriving, the worker rests this many times as long as its last pass took, so acknowledging
    /// webhooks keeps the CPU it needs during bursts (the inbox is durable: processing may lag a burst, never lose it).
    /// 0.5 caps the worker at about two thirds of a core while ingest is busy, 1 at half; 0 never rests. After a full
    /// batch (more was waiting) it rests only while the backlog is under <see cref="YieldUntilBacklog"/>, so sustained
    /// load cannot leave it ever further behind.
    /// </summary>
    /// <value>The default value is 0.5.</value>
    [Range(0, 10)]
    public double YieldToIngest { get; set; } = 0.5;

    /// <summary>
    /// While webhooks arrive, the worker keeps resting (<see cref="YieldToIngest"/>) after full batches too as long as
    /// fewer than this many of this instance's webhook bodies wait to be processed; past it, it goes on at once, so
    /// processing lags a sustained load by about this many rows at most (10,000: ~2 s at 5,000/s). A burst shorter than
    /// that is acknowledged with the CPU first and processed right after. 0: rest only while the worker keeps up.
    /// </summary>
    /// <value>The default value is 10,000.</value>
    [Range(0, 10_000_000)]
    public int YieldUntilBacklog { get; set; } = 10_000;

    /// <summary>How often the worker looks for rows written by other instances (it is woken at once for its own).</summary>
    /// <value>The default value is 500 ms.</value>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 500;
}
