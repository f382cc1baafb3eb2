namespace Threadline.Simulator;

/// <summary>The outcome of <see cref="WebhookSender.SendAsync"/>.</summary>
/// <param name="Sent">Webhooks dispatched (each counted once, however many attempts it took).</param>
/// <param name="Acknowledged">Webhooks that eventually got a 2xx.</param>
/// <param name="Failed">Webhooks that did not (attempts exhausted, or cancelled while in flight).</param>
/// <param name="Duplicates">Dispatched webhooks that were deliberate re-deliveries.</param>
/// <param name="Retries">Extra HTTP attempts beyond the first per webhook.</param>
/// <param name="Elapsed">Wall time from the first dispatch to the last answer.</param>
/// <param name="AcknowledgedMessageIds">Distinct inbound/echo wamids carried by acknowledged bodies: what the receiver has promised to keep.</param>
/// <param name="Latencies">Duration of every HTTP attempt that got a response, in completion order.</param>
/// <param name="Cancelled">True when the run was stopped by its cancellation token before all webhooks were sent.</param>
public sealed record WebhookSendSummary(
    int Sent,
    int Acknowledged,
    int Failed,
    int Duplicates,
    int Retries,
    TimeSpan Elapsed,
    IReadOnlyList<string> AcknowledgedMessageIds,
    IReadOnlyList<TimeSpan> Latencies,
    bool Cancelled)
{
    /// <summary>When each answered attempt was sent (wall clock) and how long it took, to line slow answers up with events.</summary>
    public IReadOnlyList<LatencySample> Samples { get; init; } = [];

    /// <summary>Achieved dispatch rate in webhooks per second.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Sent / Elapsed.TotalSeconds : 0;

    /// <summary>Latency percentile by nearest rank, <paramref name="percentile"/> in 0–100; zero when nothing was answered.</summary>
    public TimeSpan LatencyPercentile(double percentile)
    {
        if (Latencies.Count == 0)
            return TimeSpan.Zero;
        var sorted = Latencies.Order().ToArray();
        int rank = (int)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>One answered HTTP attempt: when it was sent (UTC) and how long its answer took.</summary>
public readonly record struct LatencySample(DateTime SentAt, TimeSpan Latency);
