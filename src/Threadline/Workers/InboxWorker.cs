using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Store.Inbox;

namespace Threadline.Workers;

/// <summary>
/// Drains the durable inbox through <see cref="InboxProcessor"/>: woken at once when the inbox writer commits, and
/// polling as well for rows other instances wrote or that wait for a retry. Every failure is caught and logged and the
/// loop carries on after a backoff; it never dies silently (the Chatwoot failure mode: acknowledged, never shown).
/// </summary>
public sealed class InboxWorker(InboxProcessor processor, InboxWriter writer, TimeProvider clock, IOptions<InboxOptions> options,
    ILogger<InboxWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ProcessingEnabled)
        {
            logger.LogInformation("Inbox processing is disabled on this instance (Inbox:ProcessingEnabled=false)");
            return;
        }
        writer.Committed += Wake;
        try
        {
            var backoff = TimeSpan.Zero;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    long arrivedBefore = writer.CommittedBodies;
                    long started = clock.GetTimestamp();
                    var pass = await processor.ProcessNextAsync(stoppingToken);
                    backoff = TimeSpan.Zero;
                    if (pass.Rows > 0)
                    {
                        // More may be waiting; but if webhooks arrived meanwhile, let acknowledging them have the CPU first.
                        if (writer.CommittedBodies != arrivedBefore && options.Value.YieldToIngest > 0)
                            await Task.Delay(clock.GetElapsedTime(started) * options.Value.YieldToIngest, clock, stoppingToken);
                        continue;
                    }
                    await WaitAsync(TimeSpan.FromMilliseconds(options.Value.PollIntervalMs), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                    logger.LogError(ex, "Inbox pass failed; retrying in {Backoff}", backoff);
                    await Task.Delay(backoff, clock, stoppingToken);
                }
            }
        }
        finally
        {
            writer.Committed -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { /* already signalled: one wake-up is enough */ }
        }
    }

    private async Task WaitAsync(TimeSpan poll, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            await _wake.WaitAsync(timeout.Token).WaitAsync(poll, clock, ct);
        }
        catch (TimeoutException)
        {
            // Cancel the abandoned wait so it cannot swallow the next wake-up.
            await timeout.CancelAsync();
        }
    }
}
