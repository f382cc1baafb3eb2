namespace Threadline.Simulator;

/// <summary>
/// Delivers simulated webhooks to a Threadline server the way Meta does: <c>POST {target}/webhooks/whatsapp</c> with
/// <c>X-Hub-Signature-256</c>, paced by a token bucket, bounded concurrency, and retries with backoff on anything but 2xx.
/// </summary>
public sealed class WebhookSender(HttpClient http, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The webhook endpoint under <paramref name="target"/> (a base URL such as <c>http://127.0.0.1:5080</c>).</summary>
    public static Uri EndpointFor(Uri target) => new(target.ToString().TrimEnd('/') + "/webhooks/whatsapp");

    /// <summary>
    /// Sends the first <paramref name="count"/> webhooks. Never throws for HTTP problems or cancellation: those end up in
    /// the summary (<see cref="WebhookSendSummary.Failed"/>, <see cref="WebhookSendSummary.Cancelled"/>).
    /// </summary>
    public async Task<WebhookSendSummary> SendAsync(
        Uri target,
        IEnumerable<SimulatedWebhook> webhooks,
        int count,
        WebhookSendOptions? options = null,
        IProgress<WebhookSendProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new WebhookSendOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        var run = new WebhookDeliveryRun(http, _time, EndpointFor(target), options, progress, cancellationToken);
        var pacer = options.RatePerSecond > 0 ? new TokenBucketPacer(options.RatePerSecond, _time) : null;
        using var slots = new SemaphoreSlim(options.MaxInFlight);
        long started = _time.GetTimestamp();
        bool cancelled = false;
        foreach (var webhook in webhooks.Take(count))
        {
            try
            {
                if (pacer is not null)
                    await pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelled = true;
                break;
            }
            run.Dispatched(webhook);
            _ = run.DeliverAsync(webhook, slots); // completes on its own; the drain below waits for all of them
        }
        for (int i = 0; i < options.MaxInFlight; i++)
            await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        return run.Summary(_time.GetElapsedTime(started), cancelled);
    }
}
