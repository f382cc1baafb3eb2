namespace Threadline.Simulator;

/// <summary>How <see cref="WebhookSender"/> delivers: pacing, concurrency and Meta-like retries.</summary>
public sealed record WebhookSendOptions
{
    /// <summary>Target webhooks per second (default 50); zero or less sends as fast as <see cref="MaxInFlight"/> allows.</summary>
    public double RatePerSecond { get; init; } = 50;

    /// <summary>Requests in flight at once (default 64); when all are busy, pacing waits rather than queueing.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>Attempts per webhook including the first (default 4). Any non-2xx, timeout or connection failure is retried.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Delay before the first retry (default 250 ms), doubled per further attempt, with ±20% jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Per-attempt timeout (default 10 s); Meta gives up on slow endpoints and retries later, too.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
