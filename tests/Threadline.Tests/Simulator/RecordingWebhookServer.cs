using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.Simulator;

/// <summary>
/// A tiny Kestrel endpoint at <c>/webhooks/whatsapp</c> on a free port: checks the signature, records bodies, and
/// answers with whatever <c>statusFor(requestNumber)</c> says (1-based), so tests can script failures.
/// </summary>
internal sealed class RecordingWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _badSignatures;

    private RecordingWebhookServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public int RequestCount => Volatile.Read(ref _requests);
    public ConcurrentQueue<byte[]> AcceptedBodies { get; } = new();
    public int BadSignatures => Volatile.Read(ref _badSignatures);

    public static async Task<RecordingWebhookServer> StartAsync(string appSecret, Func<int, int>? statusFor = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var server = new RecordingWebhookServer(app);
        app.MapPost("/webhooks/whatsapp", async context =>
        {
            int number = Interlocked.Increment(ref server._requests);
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            byte[] body = buffer.ToArray();
            if (!WebhookSignature.IsValid(body, context.Request.Headers[WebhookSignature.HeaderName], appSecret))
            {
                Interlocked.Increment(ref server._badSignatures);
                context.Response.StatusCode = 401;
                return;
            }
            int status = statusFor?.Invoke(number) ?? 200;
            if (status is >= 200 and < 300)
                server.AcceptedBodies.Enqueue(body);
            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.First());
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
