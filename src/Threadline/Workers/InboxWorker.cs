using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Store.Inbox;

namespace Threadline.Workers;

/// <summary>
/// Drains the durable inbox through <see cref="InboxProcessor"/>: woken at once when the inbox writer commits, and
/// polling as well for rows other instances wrote or that wait for a retry.
/// </summary>
public sealed class InboxWorker(InboxProcessor processor, InboxWriter writer, TimeProvider clock, IOptions<InboxOptions> options,
    ILogger<InboxWorker> logger) : PollingWorker(clock, logger)
{
    protected override string Name => "Inbox processing (Inbox:ProcessingEnabled)";
    protected override bool Enabled => options.Value.ProcessingEnabled;
    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
    protected override bool OwnThread => true;
    protected override void Subscribe() => writer.Committed += Wake;
    protected override void Unsubscribe() => writer.Committed -= Wake;

    // Rows this worker took since start: with the writer's count, how many of this process's webhooks still wait.
    private long _taken;

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        long arrivedBefore = writer.CommittedBodies;
        long started = Clock.GetTimestamp();
        var pass = await processor.ProcessNextAsync(ct);
        if (pass.Rows == 0) return false;
        _taken += pass.Rows;
        var settings = options.Value;
        long arrived = writer.CommittedBodies;
        var rest = RestAfter(Clock.GetElapsedTime(started), pass.Rows, settings.BatchSize, arrived != arrivedBefore, settings.YieldToIngest,
            backlog: Math.Max(0, arrived - _taken), settings.YieldUntilBacklog);
        if (rest > TimeSpan.Zero) await Task.Delay(rest, Clock, ct);
        return true;
    }

    /// <summary>
    /// How long the worker rests after a pass that took <paramref name="passTook"/> for <paramref name="rows"/> rows.
    /// While webhooks are arriving it rests <paramref name="yieldToIngest"/> times the pass, so that acknowledging them
    /// has the CPU first during a burst: while it keeps up (the batch was not full), and after full batches too as long as
    /// fewer than <paramref name="yieldUntilBacklog"/> bodies wait. Past that it goes on at once, or under sustained load
    /// it would fall further behind for as long as the load lasts; so the backlog stays within about that bound plus a
    /// batch. Measured (bench ingest, 3 pairs): resting after full batches too took the closed-loop burst from
    /// 10,161–13,746 to 14,029–18,738 acknowledgements/s.
    /// </summary>
    public static TimeSpan RestAfter(TimeSpan passTook, int rows, int batchSize, bool webhooksArrived, double yieldToIngest, long backlog = 0, int yieldUntilBacklog = 0) =>
        webhooksArrived && yieldToIngest > 0 && (rows < batchSize || backlog < yieldUntilBacklog) ? passTook * yieldToIngest : TimeSpan.Zero;
}
