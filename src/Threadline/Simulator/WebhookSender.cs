using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Simulator;

/// <summary>
/// Delivers simulated webhooks to a Threadline server the way Meta does: <c>POST {target}/webhooks/whatsapp</c> with
/// <c>X-Hub-Signature-256</c>, paced by a token bucket, bounded concurrency, and retries with backoff on anything but 2xx.
/// </summary>
public sealed class WebhookSender(HttpClient http, TimeProvider? timeProvider = null)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
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
        var run = new Run(this, EndpointFor(target), options, progress, cancellationToken);
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

    /// <summary>Counters and results of one <see cref="SendAsync"/> call, shared by its concurrent deliveries.</summary>
    private sealed class Run(WebhookSender owner, Uri endpoint, WebhookSendOptions options,
        IProgress<WebhookSendProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly ConcurrentQueue<TimeSpan> _latencies = new();
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
            long start = owner._time.GetTimestamp();
            try
            {
                using var response = await owner.SendRequestAsync(request, timeout.Token).ConfigureAwait(false);
                var latency = owner._time.GetElapsedTime(start);
                _latencies.Enqueue(latency);
                return ((int)response.StatusCode, latency);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return (0, owner._time.GetElapsedTime(start)); // connection failure or timeout: retried like any non-2xx
            }
        }

        private Task Backoff(int attempt)
        {
            double jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
            var delay = options.InitialBackoff * Math.Pow(2, attempt - 2) * jitter;
            return Task.Delay(delay, owner._time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        public WebhookSendSummary Summary(TimeSpan elapsed, bool cancelled) => new(
            _sent, _acknowledged, _failed, _duplicates, _retries, elapsed,
            _acknowledgedIds.Distinct().ToList(), _latencies.ToList(), cancelled || cancellationToken.IsCancellationRequested);
    }

    private Task<HttpResponseMessage> SendRequestAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
}
