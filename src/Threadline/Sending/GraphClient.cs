using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Threadline.Configuration;
using Threadline.WhatsApp.Sending;

namespace Threadline.Sending;

/// <summary>How one send call ended, as far as we can know.</summary>
/// <param name="Result">WhatsApp's answer (accepted or an error), when one arrived.</param>
/// <param name="Ambiguous">No answer: the request may have reached WhatsApp (timeout, connection lost after sending). Never re-send blindly.</param>
/// <param name="Note">What happened, for the outbox row and the log.</param>
public sealed record GraphCall(GraphSendResult? Result, bool Ambiguous, string Note, int Calls)
{
    public bool IsAccepted => Result?.IsAccepted == true;

    /// <summary>A definite "not sent": an error answer, or a connection that was never established.</summary>
    public bool DefinitelyNotSent => !Ambiguous && !IsAccepted;

    public GraphError? Error => Result?.Error;
}

/// <summary>
/// The Cloud API send endpoint, <c>POST {GraphApiBaseUrl}/{PhoneNumberId}/messages</c> with the bearer token. Quick
/// retries (Polly: exponential backoff with jitter) only for answers that say nothing was sent and a retry may help
/// (throttling, 5xx) and for connections that were never established; a timeout or a connection lost after the request
/// went out is reported as ambiguous and never retried here, because WhatsApp may already have sent the message.
/// </summary>
public sealed class GraphClient
{
    private readonly HttpClient _http;
    private readonly IOptions<WhatsAppOptions> _whatsApp;
    private readonly ResiliencePipeline<GraphCall> _pipeline;
    private readonly TimeSpan _timeout;

    public GraphClient(HttpClient http, IOptions<WhatsAppOptions> whatsApp, IOptions<OutboxOptions> outbox, TimeProvider clock)
    {
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's per-attempt timeout rules
        _whatsApp = whatsApp;
        var o = outbox.Value;
        _timeout = TimeSpan.FromSeconds(o.RequestTimeoutSeconds);
        var builder = new ResiliencePipelineBuilder<GraphCall> { TimeProvider = clock };
        if (o.QuickRetries > 0)
            builder.AddRetry(new RetryStrategyOptions<GraphCall>
            {
                ShouldHandle = new PredicateBuilder<GraphCall>().HandleResult(c =>
                    c.Error is { } e ? GraphErrorPolicy.Classify(e).Reaction == ErrorReaction.Retry : c.Note.StartsWith("no connection", StringComparison.Ordinal)),
                MaxRetryAttempts = o.QuickRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(o.RetryBaseDelayMs),
            });
        builder.AddTimeout(_timeout);
        _pipeline = builder.Build();
    }

    /// <summary>Sends one request body (from <see cref="GraphMessageJson.Build"/>).</summary>
    public async Task<GraphCall> SendAsync(byte[] body, CancellationToken ct)
    {
        var options = _whatsApp.Value;
        var url = $"{options.GraphApiBaseUrl.TrimEnd('/')}/{options.PhoneNumberId}/messages";
        int calls = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                calls++;
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.AccessToken);
                try
                {
                    using var response = await _http.SendAsync(request, token);
                    string text = await response.Content.ReadAsStringAsync(token);
                    var result = GraphResponse.Parse((int)response.StatusCode, text);
                    return new GraphCall(result, false, result.IsAccepted ? $"accepted (HTTP {(int)response.StatusCode})"
                        : $"error {result.Error!.Code} (HTTP {(int)response.StatusCode}): {result.Error.Message}", calls);
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
                {
                    // The connection was never made, so nothing reached WhatsApp: safe to retry.
                    return new GraphCall(null, false, $"no connection to the Graph API: {e.Message}", calls);
                }
                catch (HttpRequestException e)
                {
                    return new GraphCall(null, true, $"the connection failed after the request was sent ({e.HttpRequestError}): {e.Message}", calls);
                }
            }, ct);
        }
        catch (TimeoutRejectedException)
        {
            return new GraphCall(null, true, $"no answer within {_timeout.TotalSeconds:0.##} s: WhatsApp may have accepted it", calls);
        }
    }
}
