using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Threadline.Simulator;

/// <summary>
/// A local stand-in for the Graph API send endpoint, <c>POST /{version}/{phoneNumberId}/messages</c>: checks the bearer
/// token and the required fields, answers like Meta, records every accepted request, and misbehaves on demand
/// (<see cref="InjectFault"/>). Map it onto an existing app with <see cref="MapEndpoints"/> or run it alone with <see cref="StartAsync"/>.
/// </summary>
public sealed class FakeGraphApi(string accessToken = "fake-graph-token", TimeProvider? timeProvider = null) : IAsyncDisposable
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly List<FakeGraphRequest> _requests = [];
    private readonly Queue<FakeGraphFault> _faults = new();
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private long _sequence;

    public string AccessToken => accessToken;

    /// <summary>The address the self-hosted app listens on (port resolved when started with port 0); null until started.</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>Called for every accepted request (after recording), e.g. to print it.</summary>
    public Action<FakeGraphRequest>? RequestRecorded { get; set; }

    /// <summary>A snapshot of the accepted requests, in arrival order.</summary>
    public IReadOnlyList<FakeGraphRequest> Requests { get { lock (_lock) return _requests.ToArray(); } }

    public int RequestCount { get { lock (_lock) return _requests.Count; } }

    /// <summary>The next <paramref name="times"/> authorised requests get <paramref name="fault"/> (faults queue up in order).</summary>
    public void InjectFault(FakeGraphFault fault, int times = 1)
    {
        lock (_lock)
        {
            for (int i = 0; i < times; i++)
                _faults.Enqueue(fault);
        }
    }

    public int PendingFaults { get { lock (_lock) return _faults.Count; } }

    public void ClearFaults() { lock (_lock) _faults.Clear(); }

    public void ClearRequests() { lock (_lock) _requests.Clear(); }

    public IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/{version}/{phoneNumberId}/messages", HandleAsync);
        FakeGraphControlEndpoints.Map(endpoints, this);
        return endpoints;
    }

    /// <summary>Runs the fake on its own Kestrel app at <paramref name="url"/> (port 0 picks a free port) and returns the bound address.</summary>
    public async Task<Uri> StartAsync(string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        if (_app is not null)
            throw new InvalidOperationException("Already started.");
        // An empty builder reads no appsettings or environment, so a stray Kestrel section cannot add endpoints.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        MapEndpoints(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        BaseAddress = new Uri(app.Urls.First());
        return BaseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + accessToken)
        {
            await ErrorAsync(context, 190).ConfigureAwait(false);
            return;
        }
        // Read the body before any injected delay: once a client times out, its request body is gone.
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false);
        FakeGraphFault? fault;
        lock (_lock)
            _faults.TryDequeue(out fault);
        if (fault is { ErrorCode: { } code })
        {
            await ErrorAsync(context, code, fault.HttpStatus).ConfigureAwait(false);
            return;
        }
        if (fault is not null)
        {
            try { await Task.Delay(fault.Delay, _time, context.RequestAborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { } // the client gave up; the send still "happened", as at Meta
        }

        var outcome = FakeGraphRequestValidator.Validate(body);
        if (outcome.ErrorCode is { } invalid)
        {
            await ErrorAsync(context, invalid, details: outcome.ErrorDetails).ConfigureAwait(false);
            return;
        }
        string version = (string)context.Request.RouteValues["version"]!;
        string phoneNumberId = (string)context.Request.RouteValues["phoneNumberId"]!;
        string? messageId = outcome.IsMarkAsRead ? outcome.MarkedMessageId : NewWamid(outcome.To ?? outcome.Recipient!);
        var request = new FakeGraphRequest(_time.GetUtcNow(), version, phoneNumberId, outcome.To, outcome.Recipient,
            outcome.Type, messageId, outcome.IsMarkAsRead, body);
        lock (_lock)
            _requests.Add(request);
        RequestRecorded?.Invoke(request);

        context.Response.ContentType = "application/json";
        byte[] answer = outcome.IsMarkAsRead ? """{"success":true}"""u8.ToArray() : SuccessJson(outcome, messageId!);
        try { await context.Response.Body.WriteAsync(answer, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException) { } // client already disconnected
    }

    private string NewWamid(string recipient)
    {
        string digits = new(recipient.Where(char.IsAsciiDigit).ToArray());
        string key = $"{Interlocked.Increment(ref _sequence):X8}{Random.Shared.NextInt64() & 0xFFFF_FFFF_FFFF:X12}";
        return WamidFactory.Create(digits.Length > 0 ? digits : "0", key);
    }

    private static byte[] SuccessJson(FakeGraphRequestValidator.Outcome outcome, string messageId)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("messaging_product", "whatsapp");
            w.WriteStartArray("contacts");
            w.WriteStartObject();
            w.WriteString("input", outcome.To ?? outcome.Recipient);
            if (outcome.To is not null)
                w.WriteString("wa_id", new string(outcome.To.Where(char.IsAsciiDigit).ToArray()));
            else
                w.WriteString("user_id", outcome.Recipient);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("messages");
            w.WriteStartObject();
            w.WriteString("id", messageId);
            if (outcome.Type == "template") // Meta reports a template's acceptance state; plain messages have none
                w.WriteString("message_status", "accepted");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static Task ErrorAsync(HttpContext context, int code, int? httpStatus = null, string? details = null)
    {
        context.Response.StatusCode = httpStatus ?? GraphErrorCatalog.Find(code).HttpStatus;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(GraphErrorCatalog.Json(code, details)).AsTask();
    }
}
