using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Sending;
using Threadline.Simulator;
using Threadline.Store;

namespace Threadline.IntegrationTests.Sending;

public sealed class SqliteSendPathTests() : SendPathTests(StoreKind.Sqlite);
public sealed class PostgresSendPathTests() : SendPathTests(StoreKind.Postgres);

/// <summary>
/// The outbox against the simulator's fake Graph API: a person's reply goes out once with its wamid recorded and its
/// delivery statuses in the timeline; 429/5xx are retried; a timeout or a crash between the call and the database
/// update never sends twice; 131047 switches to the template; 131026 marks the contact; auth errors stop and alert.
/// </summary>
public abstract class SendPathTests(StoreKind store) : IAsyncLifetime
{
    private const string Jonas = "4917012345678";
    private ThreadlineHost _host = null!;
    private FakeGraphApi _graph = null!;

    private static Dictionary<string, string?> Config(Uri graph)
    {
        var settings = ThreadlineHost.SendingSettings(graph);
        settings["Outbox:RequestTimeoutSeconds"] = "1";
        settings["Outbox:RetryBaseDelayMs"] = "20";
        settings["Outbox:ConfirmWithinMinutes"] = "60";
        return settings;
    }

    public async Task InitializeAsync()
    {
        _graph = new FakeGraphApi();
        var graph = await _graph.StartAsync();
        _host = await ThreadlineHost.StartAsync(store, Config(graph));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _graph.DisposeAsync();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Jonas writes (opening the window) and the conversation is there.</summary>
    private async Task<long> ConversationAsync(long at, string text = "Was kostet die Pumpe P-200?")
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.in." + Guid.NewGuid().ToString("N"), at, text));
        await _host.WaitForProcessingAsync();
        var list = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/conversations");
        return list.EnumerateArray().First().GetProperty("id").GetInt64();
    }

    private async Task<JsonElement> SendAsync(long conversation, object body, string? key = null, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/conversations/{conversation}/messages") { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await _host.Api.SendAsync(request);
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> WaitForStateAsync(long outboxId, params string[] states) => _host.WaitForOutboxStateAsync(outboxId, states);

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        return await c.QuerySingleAsync<T>(sql, args);
    }

    [Fact]
    public async Task AReply_IsSentOnce_WithItsWamid_JoinsTheConversation_AndShowsDeliveryStatuses()
    {
        long conversation = await ConversationAsync(Now - 60);
        var queued = await SendAsync(conversation, new { text = "Die P-200 kostet 480 € netto. Soll ich ein Angebot schicken?", agent = "anna" });
        long id = queued.GetProperty("id").GetInt64();
        var row = await WaitForStateAsync(id, "accepted");

        var request = Assert.Single(_graph.Requests);
        Assert.Equal(Jonas, request.To);
        Assert.Equal("text", request.Type);
        using (var body = JsonDocument.Parse(request.Body))
            Assert.Equal($"threadline:outbox:{id}", body.RootElement.GetProperty("biz_opaque_callback_data").GetString());
        string wamid = row.GetProperty("waMessageId").GetString()!;
        Assert.Equal(request.MessageId, wamid);

        // The message is in the timeline as ours, and the conversation now waits on the contact.
        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversation}");
        Assert.Equal("waiting_on_them", detail.GetProperty("conversation").GetProperty("state").GetString());
        Assert.False(detail.GetProperty("conversation").GetProperty("needsReply").GetBoolean());
        var sent = detail.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal(wamid, sent.GetProperty("messageId").GetString());
        Assert.Equal("agent", sent.GetProperty("from").GetString());

        // Status webhooks move it forward (read arrives before delivered; it never moves back).
        await _host.PostWebhookAsync(Payloads.Status(wamid, "sent", Now, Jonas));
        await _host.PostWebhookAsync(Payloads.Status(wamid, "read", Now + 2, Jonas));
        await _host.PostWebhookAsync(Payloads.Status(wamid, "delivered", Now + 1, Jonas));
        await _host.WaitForProcessingAsync();
        row = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/outbox/{id}");
        Assert.Equal("read", row.GetProperty("deliveryStatus").GetString());
        Assert.Equal("read", (await _host.MessagesAsync("+" + Jonas)).Single(m => m.WaMessageId == wamid).Status);
    }

    [Fact]
    public async Task TheSameIdempotencyKeyTwice_IsOneMessage()
    {
        long conversation = await ConversationAsync(Now - 60);
        var first = await SendAsync(conversation, new { text = "Gern, das Angebot kommt heute." }, key: "agent-click-1");
        var again = await SendAsync(conversation, new { text = "Gern, das Angebot kommt heute." }, key: "agent-click-1", expected: HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        await WaitForStateAsync(first.GetProperty("id").GetInt64(), "accepted");
        await Task.Delay(300);
        Assert.Equal(1, _graph.RequestCount);
    }

    [Fact]
    public async Task ThrottlingAndServerErrors_AreRetried_UntilAccepted_OnceDelivered()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.Throttled());
        _graph.InjectFault(FakeGraphFault.ServerError());
        var queued = await SendAsync(conversation, new { text = "Danke für Ihre Geduld." });
        var row = await WaitForStateAsync(queued.GetProperty("id").GetInt64(), "accepted");
        Assert.Equal(1, _graph.RequestCount); // errors were answered, not accepted: exactly one message went out
        Assert.Equal(0, _graph.PendingFaults);
        Assert.NotNull(row.GetProperty("waMessageId").GetString());
    }

    [Fact]
    public async Task ATimeout_IsNeverResentBlindly_AndTheStatusWebhookConfirmsIt()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromSeconds(3))); // accepted by "Meta", but the answer comes after our 1 s timeout
        var queued = await SendAsync(conversation, new { text = "Ihr Angebot ist unterwegs." });
        long id = queued.GetProperty("id").GetInt64();
        await WaitForStateAsync(id, "unconfirmed");
        await Task.Delay(4000); // long past any retry
        var request = Assert.Single(_graph.Requests);

        // WhatsApp's status webhook echoes our callback data: now we know it went out, and its wamid.
        await _host.PostWebhookAsync(Payloads.Status(request.MessageId!, "sent", Now, Jonas, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();
        var row = await WaitForStateAsync(id, "accepted");
        Assert.Equal(request.MessageId, row.GetProperty("waMessageId").GetString());
        Assert.Equal(1, _graph.RequestCount);
        Assert.Equal(1, await ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE wa_message_id = @id", new { id = request.MessageId }));
    }

    [Fact]
    public async Task ACrashBetweenTheCallAndTheUpdate_DoesNotSendTwice()
    {
        long conversation = await ConversationAsync(Now - 60);
        var sender = _host.Services.GetRequiredService<OutboxSender>();
        sender.AfterCall = (_, _) => throw new InvalidOperationException("worker killed after the HTTP call");
        var queued = await SendAsync(conversation, new { text = "Ich rufe Sie morgen an." });
        long id = queued.GetProperty("id").GetInt64();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_graph.RequestCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(500);
        sender.AfterCall = null;
        // The row was left mid-call: it is never queued again, whatever the worker does next.
        Assert.Equal("sending", await ScalarAsync<string>("SELECT state FROM outbox WHERE id = @id", new { id }));
        // A restarted worker (simulated: the call started long ago) finds it orphaned and waits for confirmation instead of re-sending.
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("UPDATE outbox SET sending_at = sending_at - 120000 WHERE id = @id", new { id });
        await WaitForStateAsync(id, "unconfirmed");
        await Task.Delay(500);
        Assert.Equal(1, _graph.RequestCount);
        var wamid = _graph.Requests[0].MessageId!;
        await _host.PostWebhookAsync(Payloads.Status(wamid, "delivered", Now, Jonas, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();
        var row = await WaitForStateAsync(id, "accepted");
        Assert.Equal("delivered", row.GetProperty("deliveryStatus").GetString());
        Assert.Equal(1, _graph.RequestCount);
    }

    [Fact]
    public async Task UnconfirmedForTooLong_GoesToAPerson_WhoCanResendIt()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromSeconds(2)));
        var queued = await SendAsync(conversation, new { text = "Kurze Rückfrage zu Ihrer Bestellung." });
        long id = queued.GetProperty("id").GetInt64();
        await WaitForStateAsync(id, "unconfirmed");
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("UPDATE outbox SET sending_at = sending_at - 7200000 WHERE id = @id", new { id });
        await WaitForStateAsync(id, "needs_review");
        var review = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/outbox?state=needs_review");
        Assert.Contains(review.EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);

        var resend = await _host.Api.PostAsync($"/api/v1/outbox/{id}/resend", null);
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode);
        await WaitForStateAsync(id, "accepted");
        Assert.Equal(2, _graph.RequestCount); // the person chose to send again

        var again = await _host.Api.PostAsync($"/api/v1/outbox/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task OutsideTheWindow_FreeTextIsNotSent_AndTheConversationGoesToAPerson()
    {
        long conversation = await ConversationAsync(Now - 2 * 86400); // wrote two days ago: the window has closed
        var queued = await SendAsync(conversation, new { text = "Haben Sie noch Fragen?" });
        var row = await WaitForStateAsync(queued.GetProperty("id").GetInt64(), "failed");
        Assert.Contains("window closed", row.GetProperty("error").GetString());
        Assert.Equal(0, _graph.RequestCount);
        var detail = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversation}");
        Assert.True(detail.GetProperty("conversation").GetProperty("needsReply").GetBoolean());
        Assert.Equal("human", detail.GetProperty("conversation").GetProperty("handler").GetString());
    }

    [Fact]
    public async Task OutsideTheWindow_TheFallbackTemplateIsSentInstead()
    {
        long conversation = await ConversationAsync(Now - 2 * 86400);
        var queued = await SendAsync(conversation, new
        {
            text = "Haben Sie noch Fragen?",
            fallbackTemplate = new { name = "follow_up_offer", language = "de", parameters = new[] { "Jonas" } },
        });
        await WaitForStateAsync(queued.GetProperty("id").GetInt64(), "accepted");
        var request = Assert.Single(_graph.Requests);
        Assert.Equal("template", request.Type);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("follow_up_offer", body.RootElement.GetProperty("template").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Error131047FromWhatsApp_SwitchesToTheTemplate()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.GraphError(131047)); // WhatsApp's clock says the window closed
        var queued = await SendAsync(conversation, new
        {
            text = "Noch Fragen?",
            fallbackTemplate = new { name = "follow_up_offer", language = "de", parameters = new[] { "Jonas" } },
        });
        await WaitForStateAsync(queued.GetProperty("id").GetInt64(), "accepted");
        var request = Assert.Single(_graph.Requests);
        Assert.Equal("template", request.Type);
    }

    [Fact]
    public async Task Error131026_MarksTheContact_AndNothingMoreIsSentToIt()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.GraphError(131026));
        var first = await SendAsync(conversation, new { text = "Hallo?" });
        var row = await WaitForStateAsync(first.GetProperty("id").GetInt64(), "failed");
        Assert.Equal(131026, row.GetProperty("errorCode").GetInt32());
        Assert.NotNull(await ScalarAsync<long?>("SELECT undeliverable_at FROM contacts WHERE id = (SELECT contact_id FROM conversations WHERE id = @conversation)", new { conversation }));

        var second = await SendAsync(conversation, new { text = "Noch einmal?" });
        row = await WaitForStateAsync(second.GetProperty("id").GetInt64(), "failed");
        Assert.Contains("cannot receive", row.GetProperty("error").GetString());
        Assert.Equal(0, _graph.RequestCount);
    }

    [Fact]
    public async Task AnAuthError_FailsTheMessage_WithoutRetrying()
    {
        long conversation = await ConversationAsync(Now - 60);
        _graph.InjectFault(FakeGraphFault.GraphError(190));
        var queued = await SendAsync(conversation, new { text = "Test" });
        var row = await WaitForStateAsync(queued.GetProperty("id").GetInt64(), "failed");
        Assert.Equal(190, row.GetProperty("errorCode").GetInt32());
        Assert.Contains("StopSending", row.GetProperty("error").GetString());
    }

    [Fact]
    public async Task InvalidMessages_AreRefusedWithProblemDetails()
    {
        long conversation = await ConversationAsync(Now - 60);
        var none = await _host.Api.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { agent = "anna" });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        var tooMany = await _host.Api.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new
        {
            text = "Wählen Sie", buttons = new[] { new { id = "a", title = "Eins" }, new { id = "b", title = "Zwei" }, new { id = "c", title = "Drei" }, new { id = "d", title = "Vier" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);
        var missing = await _host.Api.PostAsJsonAsync("/api/v1/conversations/999999/messages", new { text = "Hallo" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
