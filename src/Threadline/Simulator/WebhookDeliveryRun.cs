using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Simulator;

/// <summary>
/// Counters and results of one <see cref="WebhookSender.SendAsync"/> call, shared by its concurrent deliveries: each
/// delivery is one webhook with its retries, holding one in-flight slot until its final outcome.
/// </summary>
internal sealed class WebhookDeliveryRun(HttpClient http, TimeProvider time, Uri endpoint, WebhookSendOptions options,
    IProgress<WebhookSendProgress>? progress, CancellationToken cancellationToken)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly ConcurrentQueue<TimeSpan> _latencies = new();
    private readonly ConcurrentQueue<LatencySample> _samples = new();
    private readonly ConcurrentQueue<string> _acknowledgedIds = new();
    private int _sent, _acknowledged, _failed, _duplicates, _retries;

    public void Dispatched(SimulatedWebhook webhook)
    {
        Interlocked.Increment(ref _sent);
        if (webhook.IsDuplicateDelivery)
            Interlocked.Increment(ref _duplicates);
    }

    public async Task DeliverAsync(SimulatedWebhook webhook, SemaphoreSlim slot)
    {
        try
        {
            var (status, latency) = (0, TimeSpan.Zero);
            for (int attempt = 1; attempt <= options.MaxAttempts && !cancellationToken.IsCancellationRequested; attempt++)
            {
                if (attempt > 1)
                {
                    Interlocked.Increment(ref _retries);
                    await Backoff(attempt).ConfigureAwait(false);
                }
                (status, latency) = await AttemptAsync(webhook).ConfigureAwait(false);
                if (status is >= 200 and < 300)
                    break;
            }
            bool acknowledged = status is >= 200 and < 300;
            if (acknowledged)
            {
                foreach (string id in webhook.MessageIds)
                    _acknowledgedIds.Enqueue(id);
            }
            int ack = acknowledged ? Interlocked.Increment(ref _acknowledged) : Volatile.Read(ref _acknowledged);
            int failed = acknowledged ? Volatile.Read(ref _failed) : Interlocked.Increment(ref _failed);
            progress?.Report(new WebhookSendProgress(Volatile.Read(ref _sent), ack, failed, Volatile.Read(ref _retries), latency, status));
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>One POST; returns the HTTP status (0 when no answer) and how long it took.</summary>
    private async Task<(int Status, TimeSpan Latency)> AttemptAsync(SimulatedWebhook webhook)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(webhook.Body);
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, webhook.Signature);
        request.Headers.TryAddWithoutValidation("User-Agent", "facebookexternalua");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        var sentAt = time.GetUtcNow().UtcDateTime;
        long start = time.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var latency = time.GetElapsedTime(start);
            _latencies.Enqueue(latency);
            _samples.Enqueue(new LatencySample(sentAt, latency));
            return ((int)response.StatusCode, latency);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (0, time.GetElapsedTime(start)); // connection failure or timeout: retried like any non-2xx
        }
    }

    private Task Backoff(int attempt)
    {
        double jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        var delay = options.InitialBackoff * Math.Pow(2, attempt - 2) * jitter;
        return Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public WebhookSendSummary Summary(TimeSpan elapsed, bool cancelled) => new(
        _sent, _acknowledged, _failed, _duplicates, _retries, elapsed,
        _acknowledgedIds.Distinct().ToList(), _latencies.ToList(), cancelled || cancellationToken.IsCancellationRequested)
    {
        Samples = _samples.ToList(),
    };
}
