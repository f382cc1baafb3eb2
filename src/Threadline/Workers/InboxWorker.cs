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

    protected override async Task<bool> PassAsync(CancellationToken ct)
    {
        long arrivedBefore = writer.CommittedBodies;
        long started = Clock.GetTimestamp();
        var pass = await processor.ProcessNextAsync(ct);
        if (pass.Rows == 0) return false;
        // More may be waiting; but if webhooks arrived meanwhile, let acknowledging them have the CPU first.
        if (writer.CommittedBodies != arrivedBefore && options.Value.YieldToIngest > 0)
            await Task.Delay(Clock.GetElapsedTime(started) * options.Value.YieldToIngest, Clock, ct);
        return true;
    }
}
