namespace Threadline.Workers;

/// <summary>
/// The loop every background worker shares: run a pass; run the next one at once while there is work, else wait until
/// woken (work was queued in this process) or the poll interval passed (work from other instances, retries coming due).
/// Every failure is caught and logged and the loop carries on after a backoff (200 ms doubling to 30 s); it never dies
/// silently (the Chatwoot failure mode: acknowledged, never shown).
/// </summary>
public abstract class PollingWorker(TimeProvider clock, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>What the worker does, for log lines ("Inbox pass failed").</summary>
    protected abstract string Name { get; }

    /// <summary>False when this instance leaves the work to others; logged once.</summary>
    protected abstract bool Enabled { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>One pass; true when more work may be waiting right now.</summary>
    protected abstract Task<bool> PassAsync(CancellationToken ct);

    protected virtual void Subscribe() { }

    protected virtual void Unsubscribe() { }

    protected TimeProvider Clock => clock;

    /// <summary>True for workers whose passes are long synchronous database work: they run on a <see cref="DedicatedThread"/>.</summary>
    protected virtual bool OwnThread => false;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        OwnThread ? DedicatedThread.Run(Name, () => LoopAsync(stoppingToken)) : LoopAsync(stoppingToken);

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            logger.LogInformation("{Worker} is disabled on this instance", Name);
            return;
        }
        Subscribe();
        try
        {
            var backoff = TimeSpan.Zero;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    bool more = await PassAsync(stoppingToken);
                    backoff = TimeSpan.Zero;
                    if (!more) await WaitAsync(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                    logger.LogError(ex, "{Worker} pass failed; retrying in {Backoff}", Name, backoff);
                    await Task.Delay(backoff, clock, stoppingToken);
                }
            }
        }
        finally
        {
            Unsubscribe();
        }
    }

    /// <summary>Ends the current wait at once.</summary>
    protected void Wake()
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
