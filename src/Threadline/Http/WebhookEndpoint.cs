using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Store.Inbox;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Http;

/// <summary>
/// Step 1 at the edge: the callback URL WhatsApp calls. The handshake answers Meta's verification; a POST is checked
/// for its signature before anything reads it, made durable in the inbox (group commit), and only then acknowledged.
/// Privacy: bodies carry phone numbers and message text; they are never logged here.
/// </summary>
public static class WebhookEndpoint
{
    public const string Path = "/webhooks/whatsapp";

    public static IEndpointRouteBuilder MapWhatsAppWebhook(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Verify).ExcludeFromDescription();
        app.MapPost(Path, ReceiveAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>Meta's verification handshake: 200 with the challenge as plain text, or 403.</summary>
    public static IResult Verify(HttpRequest request, IOptions<WhatsAppOptions> options)
    {
        string? mode = request.Query["hub.mode"];
        string? token = request.Query["hub.verify_token"];
        string? challenge = request.Query["hub.challenge"];
        string? expected = options.Value.VerifyToken;
        bool tokenMatches = !string.IsNullOrEmpty(expected) && token is not null &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected));
        return mode == "subscribe" && tokenMatches && challenge is not null
            ? Results.Text(challenge, "text/plain", Encoding.UTF8)
            : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Verification failed",
                detail: "hub.mode must be 'subscribe' and hub.verify_token must match WhatsApp:VerifyToken.");
    }

    public static async Task<IResult> ReceiveAsync(HttpContext context, InboxWriter inbox, IOptions<WhatsAppOptions> options, ILoggerFactory loggers)
    {
        var settings = options.Value;
        int limit = settings.MaxWebhookBodyBytes;
        if (context.Request.ContentLength > limit)
            return TooLarge(limit);
        byte[]? body = await ReadBodyAsync(context.Request.Body, limit, context.RequestAborted);
        if (body is null)
            return TooLarge(limit);

        string? signature = context.Request.Headers[WebhookSignature.HeaderName];
        if (!WebhookSignature.IsValid(body, signature, settings.AppSecret!))
        {
            loggers.CreateLogger(typeof(WebhookEndpoint)).LogWarning(
                "Rejected webhook with {SignatureState} signature ({Bytes} bytes)", signature is null ? "no" : "a wrong", body.Length);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid signature",
                detail: $"{WebhookSignature.HeaderName} must be 'sha256=' + the hex HMAC-SHA256 of the raw body keyed with the app secret.");
        }

        try
        {
            await inbox.AppendAsync(body, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not durable, so not acknowledged: WhatsApp retries a non-200 for up to 7 days.
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Inbox unavailable",
                detail: "The webhook could not be stored; it was not accepted and may be retried.");
        }
        return Results.Ok();
    }

    private static IResult TooLarge(int limit) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Body too large", detail: $"Webhook bodies are limited to {limit} bytes (WhatsApp:MaxWebhookBodyBytes).");

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream stream, int limit, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) return null;
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > limit) return null;
            }
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
