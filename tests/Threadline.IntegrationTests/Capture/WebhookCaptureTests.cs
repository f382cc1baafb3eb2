using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteWebhookCaptureTests() : WebhookCaptureTests(StoreKind.Sqlite);
public sealed class PostgresWebhookCaptureTests() : WebhookCaptureTests(StoreKind.Postgres);

/// <summary>Step 1 (capture) end to end: real HTTP, real Kestrel, real database; the same suite on both stores.</summary>
public abstract class WebhookCaptureTests(StoreKind store) : IAsyncLifetime
{
    private ThreadlineHost _host = null!;
    private const long T0 = 1_760_000_000; // 2025-10-09, unix seconds

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Handshake_ModeAndTokenMatch_EchoesChallengeAsPlainText()
    {
        var response = await _host.Client.GetAsync($"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={ThreadlineHost.VerifyToken}&hub.challenge=1158201444");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1158201444", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("subscribe", "wrong-token")]
    [InlineData("unsubscribe", ThreadlineHost.VerifyToken)]
    [InlineData("subscribe", "")]
    public async Task Handshake_WrongModeOrToken_Returns403(string mode, string token)
    {
        var response = await _host.Client.GetAsync($"/webhooks/whatsapp?hub.mode={mode}&hub.verify_token={token}&hub.challenge=42");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sha256=")]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Post_MissingOrWrongSignature_Returns401AndStoresNothing(string? signature)
    {
        var body = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.unsigned", T0, "hello"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new ByteArrayContent(body) };
        if (signature is not null) request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await _host.StatsAsync()).Received);
    }

    [Fact]
    public async Task Post_SignatureOfAnotherBody_Returns401()
    {
        var signed = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.a", T0, "hello"));
        var tampered = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.a", T0, "hellO"));
        var response = await _host.PostWebhookAsync(tampered, Threadline.WhatsApp.Webhooks.WebhookSignature.Sign(signed, ThreadlineHost.AppSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, (await _host.StatsAsync()).Received);
    }

    [Fact]
    public async Task Post_TextMessage_IsAcknowledgedStoredAndListed()
    {
        var response = await _host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.first", T0, "Was kostet das?"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stats = await _host.WaitForProcessingAsync();
        Assert.Equal((1, 1, 0, 0), (stats.Received, stats.Processed, stats.Pending, stats.DeadLettered));
        var messages = await _host.MessagesAsync("+49 170 12345678");
        var message = Assert.Single(messages);
        Assert.Equal(("wamid.first", "text", "Was kostet das?", "received", "in", "contact"),
            (message.WaMessageId, message.Type, message.Text, message.Status, message.Direction, message.SentBy));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0), message.Timestamp);
    }

    [Fact]
    public async Task Post_SameMessageDeliveredManyTimes_IsStoredOnce()
    {
        string body = Payloads.Text("4917012345678", "wamid.dup", T0, "hello");
        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await _host.PostWebhookAsync(body)).StatusCode);
        // The same message id inside a different body (another delivery attempt, other metadata) is still one message.
        string other = Payloads.Inbound("4917012345678", Payloads.TextMessage("4917012345678", "wamid.dup", T0, "hello"),
            Payloads.TextMessage("4917012345678", "wamid.dup", T0, "hello"));
        Assert.Equal(HttpStatusCode.OK, (await _host.PostWebhookAsync(other)).StatusCode);

        await _host.WaitForProcessingAsync();
        Assert.Single(await _host.MessagesAsync("4917012345678"));
    }

    [Fact]
    public async Task Messages_ArrivingOutOfOrder_AreListedInTimestampOrder()
    {
        await _host.PostWebhookAsync(Payloads.Text("447700900123", "wamid.3", T0 + 30, "third"));
        await _host.PostWebhookAsync(Payloads.Text("447700900123", "wamid.1", T0 + 10, "first"));
        await _host.PostWebhookAsync(Payloads.Text("447700900123", "wamid.2", T0 + 20, "second"));
        await _host.WaitForProcessingAsync();

        var texts = (await _host.MessagesAsync("+447700900123")).Select(m => m.Text);
        Assert.Equal(["first", "second", "third"], texts);
    }

    [Fact]
    public async Task Statuses_BeforeTheirMessageAndOutOfOrder_NeverMoveBackwards()
    {
        const string customer = "5511912345678";
        // read arrives first, before the echo itself is known; then a late 'delivered' and a late 'sent'.
        await _host.PostWebhookAsync(Payloads.Status("wamid.out1", "read", T0 + 20, customer));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Echo(customer, "wamid.out1", T0, "Here is your quote"));
        await _host.PostWebhookAsync(Payloads.Status("wamid.out1", "delivered", T0 + 10, customer));
        await _host.PostWebhookAsync(Payloads.Status("wamid.out1", "sent", T0 + 5, customer));
        await _host.WaitForProcessingAsync();

        var echo = Assert.Single(await _host.MessagesAsync(customer));
        Assert.Equal(("out", "human", "read"), (echo.Direction, echo.SentBy, echo.Status));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 20), echo.StatusAt);
    }

    [Fact]
    public async Task Statuses_FailedIsTerminal_LateDeliveredDoesNotRevive()
    {
        const string customer = "5511912345678";
        await _host.PostWebhookAsync(Payloads.Echo(customer, "wamid.out2", T0, "Hello"));
        await _host.PostWebhookAsync(Payloads.Status("wamid.out2", "failed", T0 + 3, customer, errorCode: 131026));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Status("wamid.out2", "delivered", T0 + 2, customer));
        await _host.WaitForProcessingAsync();

        var echo = Assert.Single(await _host.MessagesAsync(customer));
        Assert.Equal(("failed", (int?)131026), (echo.Status, echo.ErrorCode));
    }

    [Fact]
    public async Task EditAndRevoke_ApplyToTheOriginal_EvenWhenTheyArriveFirst()
    {
        const string customer = "4917099998888";
        await _host.PostWebhookAsync(Payloads.Change(customer, "wamid.edit1", T0 + 60, "edit", "wamid.orig1", "20 units, not 10"));
        await _host.PostWebhookAsync(Payloads.Change(customer, "wamid.del2", T0 + 70, "revoke", "wamid.orig2"));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Text(customer, "wamid.orig1", T0, "10 units please"));
        await _host.PostWebhookAsync(Payloads.Text(customer, "wamid.orig2", T0 + 1, "oops wrong chat"));
        await _host.WaitForProcessingAsync();

        var messages = (await _host.MessagesAsync(customer)).ToDictionary(m => m.WaMessageId);
        Assert.Equal(("20 units, not 10", "10 units please"), (messages["wamid.orig1"].Text, messages["wamid.orig1"].OriginalText));
        Assert.NotNull(messages["wamid.orig1"].EditedAt);
        Assert.True(messages["wamid.orig2"].Deleted);
        Assert.Equal(("edit", "wamid.orig1"), (messages["wamid.edit1"].Type, messages["wamid.edit1"].RefMessageId));
    }

    [Fact]
    public async Task UserPreferences_MarketingStop_IsRecordedOnTheUser_LatestWins()
    {
        await _host.PostWebhookAsync(Payloads.MarketingPreference("16505551234", "stop", T0 + 100));
        await _host.PostWebhookAsync(Payloads.MarketingPreference("16505551234", "resume", T0 + 50)); // older, arrives late
        await _host.WaitForProcessingAsync();

        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        string? preference = await c.QuerySingleAsync<string?>("SELECT marketing_preference FROM wa_users WHERE wa_id = '16505551234'");
        Assert.Equal("stop", preference);
        Assert.Equal(2, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE field = 'user_preferences'"));
    }

    [Fact]
    public async Task UnknownFieldAndUnknownMessageType_AreKeptRawAndShown()
    {
        string unknownField = Payloads.Envelope("some_future_field", new System.Text.Json.Nodes.JsonObject { ["novel"] = "value" });
        var hologram = new System.Text.Json.Nodes.JsonObject
        {
            ["from"] = "4915112345678", ["id"] = "wamid.holo", ["timestamp"] = T0.ToString(), ["type"] = "hologram",
            ["hologram"] = new System.Text.Json.Nodes.JsonObject { ["depth"] = 3 },
        };
        await _host.PostWebhookAsync(unknownField);
        await _host.PostWebhookAsync(Payloads.Inbound("4915112345678", hologram));
        var stats = await _host.WaitForProcessingAsync();
        Assert.Equal(0, stats.DeadLettered);

        var message = Assert.Single(await _host.MessagesAsync("4915112345678"));
        Assert.Equal("hologram", message.Type);
        Assert.Equal(3, message.Raw!.Value.GetProperty("hologram").GetProperty("depth").GetInt32());
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        string raw = await c.QuerySingleAsync<string>("SELECT raw_json FROM events WHERE field = 'some_future_field'");
        Assert.Contains("\"novel\"", raw);
    }

    [Fact]
    public async Task UsernameOnlyUser_WithoutWaId_IsFoundByUserId_AndLaterByNumber()
    {
        const string userId = "DE.5432109876543210987";
        await _host.PostWebhookAsync(Payloads.Inbound(null, userId, Payloads.TextMessage(null, "wamid.bsuid1", T0, "hi there", fromUserId: userId)));
        await _host.WaitForProcessingAsync();
        Assert.Equal("hi there", Assert.Single(await _host.MessagesAsync(userId)).Text);

        // Later the same user writes with a number too: both messages belong to the number now.
        await _host.PostWebhookAsync(Payloads.Inbound("4917611112222", userId, Payloads.TextMessage("4917611112222", "wamid.bsuid2", T0 + 5, "me again", fromUserId: userId)));
        await _host.WaitForProcessingAsync();
        Assert.Equal(["hi there", "me again"], (await _host.MessagesAsync("+4917611112222")).Select(m => m.Text));
    }

    [Fact]
    public async Task UnreadableSignedBody_IsDeadLettered_ListedAndRetryable()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.PostWebhookAsync("{this is not json")).StatusCode);
        var stats = await _host.WaitForProcessingAsync();
        Assert.Equal((1, 0, 1), (stats.Received, stats.Pending, stats.DeadLettered));

        var dead = await _host.Api.GetFromJsonAsync<List<DeadLetterDto>>("/api/v1/inbox/dead");
        var letter = Assert.Single(dead!);
        Assert.False(string.IsNullOrWhiteSpace(letter.LastError));

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Api.PostAsync($"/api/v1/inbox/{letter.Id}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PostAsync("/api/v1/inbox/999999/retry", null)).StatusCode);
        stats = await _host.WaitForProcessingAsync();
        Assert.Equal(1, stats.DeadLettered); // still unreadable: back in the dead letters, not lost (attempts: 2)
    }

    [Fact]
    public async Task Api_WithoutOrWithWrongKey_Returns401ProblemDetails_HealthAndOpenApiAreOpen()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.GetAsync("/api/v1/inbox/stats")).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/messages?phone=4917012345678");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "nope");
        var response = await _host.Client.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/healthz")).StatusCode);
        string openApi = await _host.Client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/messages", openApi);
        Assert.Contains("/api/v1/inbox/stats", openApi);
    }

    [Fact]
    public async Task Messages_BadPhone_Returns400ProblemDetails()
    {
        var response = await _host.Api.GetAsync("/api/v1/messages?phone=call-me-maybe");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Corpus_EveryPayloadFromAnIndependentClient_IsProcessedWithoutDeadLetters()
    {
        int posted = 0;
        foreach (var (name, body) in Corpus.Payloads())
        {
            var response = await _host.PostWebhookAsync(body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {response.StatusCode}");
            posted++;
        }
        var stats = await _host.WaitForProcessingAsync();
        Assert.True(posted >= 70, $"only {posted} corpus payloads found");
        Assert.Equal(0, stats.DeadLettered);
        Assert.Equal(stats.Received, stats.Processed);

        // A sample of what they said landed where it belongs.
        var messages = await _host.MessagesAsync("972987654321");
        // (The corpus reuses ids across cases; each distinct id is one message.)
        var ids = messages.Select(m => m.WaMessageId).ToHashSet();
        Assert.Superset(new HashSet<string> { "wamid.xyzxyz", "wamid.xsidjw", "wamid.zyzxyz", "wamid.ID", "wamid.wegrchytvwcggt==" }, ids);
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.True(await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE field = 'account_update'") >= 10);
        Assert.True(await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM message_statuses") >= 4);
    }
}

public sealed record DeadLetterDto(long Id, long ReceivedAt, int Attempts, string? LastError, long BodyBytes);
