namespace Threadline.Simulator;

/// <summary>
/// Reported by <see cref="WebhookSender"/> each time a webhook reaches its final outcome (acknowledged, or failed after
/// all attempts). Counters are running totals at that moment.
/// </summary>
/// <param name="Sent">Webhooks dispatched so far (first attempts).</param>
/// <param name="Acknowledged">Webhooks that got a 2xx answer.</param>
/// <param name="Failed">Webhooks that never got a 2xx answer.</param>
/// <param name="Retries">Extra attempts made so far.</param>
/// <param name="Latency">Duration of this webhook's last HTTP attempt.</param>
/// <param name="StatusCode">HTTP status of the last attempt; 0 when no response arrived (connection failure, timeout).</param>
public readonly record struct WebhookSendProgress(int Sent, int Acknowledged, int Failed, int Retries, TimeSpan Latency, int StatusCode);
