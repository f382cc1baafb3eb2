using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Threadline.Store.Inbox;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.IntegrationTests.Infrastructure;

/// <summary>
/// The real Threadline server, in process, on a real Kestrel port of 127.0.0.1, against a fresh real database.
/// Tests talk to it only over HTTP, as WhatsApp and API clients do.
/// </summary>
public sealed class ThreadlineHost : IAsyncDisposable
{
    public const string AppSecret = "test-app-secret";
    public const string VerifyToken = "test-verify-token";
    public const string AdminKey = "test-admin-key";

    private readonly WebApplication _app;
    private readonly string _directory;

    private ThreadlineHost(WebApplication app, string directory, Uri baseAddress, StoreKind store)
    {
        _app = app;
        _directory = directory;
        BaseAddress = baseAddress;
        Store = store;
        Client = new HttpClient { BaseAddress = baseAddress };
        Api = new HttpClient { BaseAddress = baseAddress };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public Uri BaseAddress { get; }
    public StoreKind Store { get; }
    /// <summary>Unauthenticated client (what WhatsApp is).</summary>
    public HttpClient Client { get; }
    /// <summary>Client with the bootstrap admin key.</summary>
    public HttpClient Api { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<ThreadlineHost> StartAsync(StoreKind store, IReadOnlyDictionary<string, string?>? extra = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>(await TestDatabases.CreateAsync(store, directory))
        {
            ["WhatsApp:AppSecret"] = AppSecret,
            ["WhatsApp:VerifyToken"] = VerifyToken,
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Inbox:PollIntervalMs"] = "50",
            // The tests' messages are dated in the past: the closer would end their conversations under other tests'
            // feet. Its tests run it directly (ConversationCloser.RunOnceAsync).
            ["Conversations:IdleCloseEnabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], settings);
        await Program.StartServerAsync(app, CancellationToken.None);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ThreadlineHost(app, directory, new Uri(address), store);
    }

    /// <summary>Settings that send through <paramref name="graph"/> (a fake Graph API) with fast polling, for a German-speaking Berlin business.</summary>
    public static Dictionary<string, string?> SendingSettings(Uri graph) => new()
    {
        ["Business:TimeZone"] = "Europe/Berlin",
        ["Business:Languages:0"] = "de",
        ["Business:Languages:1"] = "en",
        ["WhatsApp:GraphApiBaseUrl"] = new Uri(graph, "v23.0").ToString(),
        ["WhatsApp:AccessToken"] = "fake-graph-token",
        ["WhatsApp:PhoneNumberId"] = "100000000000001",
        ["Outbox:PollIntervalMs"] = "50",
    };

    /// <summary>Polls <c>GET /api/v1/outbox/{id}</c> until the row is in one of <paramref name="states"/> (20 s at most).</summary>
    public async Task<System.Text.Json.JsonElement> WaitForOutboxStateAsync(long outboxId, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var row = await Api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/outbox/{outboxId}");
            if (states.Contains(row.GetProperty("state").GetString())) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"outbox {outboxId} stayed {row}");
            await Task.Delay(25);
        }
    }

    /// <summary>POSTs a body as WhatsApp does, correctly signed.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string json) => PostWebhookAsync(System.Text.Encoding.UTF8.GetBytes(json));

    public Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? signature = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = content };
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature ?? WebhookSignature.Sign(body, AppSecret));
        return Client.SendAsync(request);
    }

    public async Task<InboxStats> StatsAsync() =>
        (await Api.GetFromJsonAsync<InboxStats>("/api/v1/inbox/stats"))!;

    /// <summary>Waits (bounded) until the inbox worker has no pending rows; returns the final stats.</summary>
    public async Task<InboxStats> WaitForProcessingAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var stats = await StatsAsync();
            if (stats.Pending == 0) return stats;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Inbox still has {stats.Pending} pending rows: {stats}");
            await Task.Delay(25);
        }
    }

    /// <summary>Command-line arguments that point a CLI verb at this host's store.</summary>
    public string[] StorageArgs()
    {
        var options = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Threadline.Store.StorageOptions>>().Value;
        string[] store = [$"--Storage:Provider={options.Provider}", $"--Storage:ConnectionString={options.ConnectionString}"];
        return string.IsNullOrEmpty(options.InboxPath) ? store : [.. store, $"--Storage:InboxPath={options.InboxPath}"];
    }

    public async Task<List<MessageDto>> MessagesAsync(string phone) =>
        (await Api.GetFromJsonAsync<List<MessageDto>>($"/api/v1/messages?phone={Uri.EscapeDataString(phone)}"))!;

    /// <summary>Stops the server as a shutdown does (the store stays, for the test to look at); disposing it later is fine.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Api.Dispose();
        var db = Services.GetRequiredService<Threadline.Store.Database>();
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Each test has a database of its own and so a connection pool of its own: close its idle connections now, or
        // a full run keeps hundreds open (Npgsql closes idle ones only after 5 minutes) and meets max_connections.
        db.CloseIdleConnections();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The API's message shape as a client reads it.</summary>
public sealed record MessageDto(
    string WaMessageId, string Direction, string SentBy, string Type, string? Text, DateTimeOffset Timestamp, string Status,
    DateTimeOffset? StatusAt, string? WaId, string? UserId, string? ReplyToMessageId, string? RefMessageId, bool Forwarded,
    DateTimeOffset? EditedAt, string? OriginalText, bool Deleted, int? ErrorCode, System.Text.Json.JsonElement? Raw);
