using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Simulator;
using Threadline.Store;

namespace Threadline.IntegrationTests.Sending;

public sealed class SqliteAutomaticAnswerTests() : AutomaticAnswerTests(StoreKind.Sqlite);
public sealed class PostgresAutomaticAnswerTests() : AutomaticAnswerTests(StoreKind.Postgres);

/// <summary>
/// Automation's answers and the failures WhatsApp reports after taking a message, end to end against the fake Graph API:
/// an answer is queued with the decision and sent once; a second question before the first answer went out adds only
/// the new answer; a language without a written answer goes to a person; a late <c>failed</c> status (131047, 131026)
/// gets the same reaction as a refused call, once, however often the status is delivered.
/// </summary>
public abstract class AutomaticAnswerTests(StoreKind store) : IAsyncLifetime
{
    private const string Emma = "447700900123";   // writes English
    private const string Jonas = "4917012345678"; // writes German
    private const string Hours = "We are open Monday to Friday, 9:00–18:00.";
    private const string Address = "Musterstraße 1, 10115 Berlin.";
    private const string Adresse = "Sie finden uns in der Musterstraße 1, 10115 Berlin.";
    private ThreadlineHost _host = null!;
    private FakeGraphApi _graph = null!;

    public async Task InitializeAsync()
    {
        _graph = new FakeGraphApi();
        var settings = ThreadlineHost.SendingSettings(await _graph.StartAsync());
        settings["Outbox:RequestTimeoutSeconds"] = "1";
        settings["Outbox:RetryBaseDelayMs"] = "20";
        settings["Business:AutomationIntents:0"] = "opening_hours";
        settings["Business:AutomationIntents:1"] = "address";
        settings["Automation:Answers:opening_hours:en"] = Hours;   // no German answer for opening hours
        settings["Automation:Answers:address:en"] = Address;
        settings["Automation:Answers:address:de"] = Adresse;
        _host = await ThreadlineHost.StartAsync(store, settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _graph.DisposeAsync();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task<string> WriteAsync(string waId, string text, long? at = null)
    {
        string wamid = "wamid.in." + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await _host.PostWebhookAsync(Payloads.Text(waId, wamid, at ?? Now, text))).StatusCode);
        await _host.WaitForProcessingAsync();
        return wamid;
    }

    private async Task<List<(long Id, string Key, string State, string? WaMessageId, long ConversationId)>> AutomaticRowsAsync()
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        return (await c.QueryAsync<(long, string, string, string?, long)>(
            "SELECT id, idempotency_key, state, wa_message_id, conversation_id FROM outbox WHERE cause = 'automatic_answer' ORDER BY id")).AsList();
    }

    private Task<JsonElement> WaitForStateAsync(long outboxId, params string[] states) => _host.WaitForOutboxStateAsync(outboxId, states);

    private async Task<JsonElement> ConversationOfAsync(long id) =>
        await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{id}");

    private async Task<long> OnlyConversationAsync()
    {
        var list = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/conversations");
        return Assert.Single(list.EnumerateArray()).GetProperty("id").GetInt64();
    }

    /// <summary>Jonas asks for a price and a person answers with <paramref name="message"/> through the API; WhatsApp takes it.</summary>
    /// <returns>The conversation, the answer's outbox row and the wamid WhatsApp gave it.</returns>
    private async Task<(long Conversation, long Id, string Wamid)> PersonAnsweredAsync(object message)
    {
        await WriteAsync(Jonas, "Was kostet die Pumpe?");
        long conversation = await OnlyConversationAsync();
        var queued = await (await _host.Api.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", message))
            .Content.ReadFromJsonAsync<JsonElement>();
        long id = queued.GetProperty("id").GetInt64();
        string wamid = (await WaitForStateAsync(id, "accepted")).GetProperty("waMessageId").GetString()!;
        return (conversation, id, wamid);
    }

    [Fact]
    public async Task AnEnabledQuestion_IsAnsweredOnce_WithTheWrittenAnswer_AndTheConversationWaitsOnTheContact()
    {
        string asked = await WriteAsync(Emma, "Hi, what are your opening hours?");
        var row = Assert.Single(await AutomaticRowsAsync());
        await WaitForStateAsync(row.Id, "accepted");

        var request = Assert.Single(_graph.Requests);
        Assert.Equal(Emma, request.To);
        using (var body = JsonDocument.Parse(request.Body))
            Assert.Equal(Hours, body.RootElement.GetProperty("text").GetProperty("body").GetString());

        var detail = await ConversationOfAsync(row.ConversationId);
        var decision = Assert.Single(detail.GetProperty("decisions").EnumerateArray());
        Assert.Equal(asked, decision.GetProperty("messageId").GetString());
        Assert.Equal("automation", decision.GetProperty("handler").GetString());
        // Our answer is in the timeline as automation's, and nothing is owed any more.
        var last = detail.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("automation", last.GetProperty("from").GetString());
        Assert.False(detail.GetProperty("conversation").GetProperty("needsReply").GetBoolean());

        // WhatsApp delivers the same message again (another body): no second decision, no second answer.
        await _host.PostWebhookAsync(Payloads.Text(Emma, asked, Now + 5, "Hi, what are your opening hours?"));
        await _host.WaitForProcessingAsync();
        await Task.Delay(300);
        Assert.Single(await AutomaticRowsAsync());
        Assert.Equal(1, _graph.RequestCount);
    }

    [Fact]
    public async Task ASecondQuestion_BeforeTheFirstAnswerWentOut_AddsOnlyTheNewAnswer()
    {
        // The first answer's call times out: it is unconfirmed, so the conversation still owes the opening hours when the next question comes.
        _graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromSeconds(3)));
        await WriteAsync(Emma, "What are your opening hours?");
        var first = Assert.Single(await AutomaticRowsAsync());
        await WaitForStateAsync(first.Id, "unconfirmed");

        await WriteAsync(Emma, "And what is your address?");
        var rows = await AutomaticRowsAsync();
        Assert.Equal(2, rows.Count);
        Assert.EndsWith(":opening_hours", rows[0].Key);
        Assert.EndsWith(":address", rows[1].Key);
        await WaitForStateAsync(rows[1].Id, "accepted");
        Assert.Equal(2, _graph.RequestCount); // the hours once (in doubt, not repeated), the address once
        using var body = JsonDocument.Parse(_graph.Requests[1].Body);
        Assert.Equal(Address, body.RootElement.GetProperty("text").GetProperty("body").GetString());
    }

    [Fact]
    public async Task AQuestionWithoutAnAnswerInItsLanguage_GoesToAPerson_WithTheMissingAnswerNamed()
    {
        await WriteAsync(Jonas, "Wann haben Sie geöffnet?");
        long conversation = await OnlyConversationAsync();
        var detail = await ConversationOfAsync(conversation);
        var decision = Assert.Single(detail.GetProperty("decisions").EnumerateArray());
        Assert.Equal("human", decision.GetProperty("handler").GetString());
        Assert.Equal("handler.human-no-answer", decision.GetProperty("rule").GetString());
        Assert.Contains("Automation:Answers:opening_hours:de", decision.GetProperty("reasons").ToString());
        Assert.Empty(await AutomaticRowsAsync());

        // The address has a German answer: automation takes it, in German.
        await WriteAsync(Jonas, "Und wie ist Ihre Adresse?");
        var rows = await AutomaticRowsAsync();
        Assert.Empty(rows); // the opening hours are still owed by a person: the whole reply stays with them
        detail = await ConversationOfAsync(conversation);
        Assert.Equal("human", detail.GetProperty("decisions").EnumerateArray().Last().GetProperty("handler").GetString());
        Assert.Equal(0, _graph.RequestCount);
    }

    [Fact]
    public async Task AGermanQuestionWithAGermanAnswer_IsAnsweredInGerman()
    {
        await WriteAsync(Jonas, "Wie ist Ihre Adresse?");
        var row = Assert.Single(await AutomaticRowsAsync());
        await WaitForStateAsync(row.Id, "accepted");
        using var body = JsonDocument.Parse(Assert.Single(_graph.Requests).Body);
        Assert.Equal(Adresse, body.RootElement.GetProperty("text").GetProperty("body").GetString());
    }

    [Fact]
    public async Task AUserWithoutAVisibleNumber_IsAnsweredByTheirUserId()
    {
        // Since 2026 a WhatsApp user with a username may come without wa_id: only the business-scoped user id.
        const string Bsuid = "US.13491208655302741918";
        string wamid = "wamid.in." + Guid.NewGuid().ToString("N");
        await _host.PostWebhookAsync(Payloads.Inbound(null, Bsuid, Payloads.TextMessage(null, wamid, Now, "What are your opening hours?", fromUserId: Bsuid)));
        await _host.WaitForProcessingAsync();
        var row = Assert.Single(await AutomaticRowsAsync());
        await WaitForStateAsync(row.Id, "accepted");
        var request = Assert.Single(_graph.Requests);
        Assert.Equal(Bsuid, request.Recipient);
        Assert.Null(request.To);

        // Our answer joined the same conversation as automation's message, and a person can write to them too.
        var detail = await ConversationOfAsync(row.ConversationId);
        Assert.Equal("automation", detail.GetProperty("messages").EnumerateArray().Last().GetProperty("from").GetString());
        var reply = await _host.Api.PostAsJsonAsync($"/api/v1/conversations/{row.ConversationId}/messages", new { text = "Anything else I can help with?" });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        await WaitForStateAsync((await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), "accepted");
        Assert.All(_graph.Requests, r => Assert.Equal(Bsuid, r.Recipient));
        Assert.Single((await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task ALateFailedStatus131047_SendsTheFallbackTemplate_Once()
    {
        var (_, id, wamid) = await PersonAnsweredAsync(new
        {
            text = "480 € netto.",
            fallbackTemplate = new { name = "follow_up_offer", language = "de", parameters = new[] { "Jonas" } },
        });

        // WhatsApp took it, then reports it failed: the window had closed by its clock.
        for (int i = 0; i < 3; i++) // delivered three times
            await _host.PostWebhookAsync(Payloads.Status(wamid, "failed", Now + i, Jonas, errorCode: 131047, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();

        var original = await WaitForStateAsync(id, "failed");
        Assert.Equal(131047, original.GetProperty("errorCode").GetInt32());
        long templateRow = await ScalarAsync<long>("SELECT id FROM outbox WHERE idempotency_key = @key", new { key = $"template:{id}" });
        await WaitForStateAsync(templateRow, "accepted");
        await Task.Delay(300);
        Assert.Equal(2, _graph.RequestCount);
        Assert.Equal("template", _graph.Requests[1].Type);
        Assert.Equal(2, await ScalarAsync<long>("SELECT COUNT(*) FROM outbox"));

        // Threadline already sent it again as the template: a person's resend of the original is refused, not a third message.
        var resend = await _host.Api.PostAsync($"/api/v1/outbox/{id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, resend.StatusCode);
        Assert.Equal(2, _graph.RequestCount);
    }

    [Fact]
    public async Task APersonsResendOfALateFailure_IsItsOwnAttempt_NotConfusedWithTheFirstOnesStatuses()
    {
        var (_, id, first) = await PersonAnsweredAsync(new { text = "480 € netto." });
        await _host.PostWebhookAsync(Payloads.Status(first, "sent", Now, Jonas, callbackData: $"threadline:outbox:{id}"));
        await _host.PostWebhookAsync(Payloads.Status(first, "failed", Now + 1, Jonas, errorCode: 131051, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();
        await WaitForStateAsync(id, "failed");

        // The second call's answer is lost (timeout): the row is in doubt, and the first attempt's statuses, still stored
        // under the same callback data, must not pass for this attempt's confirmation.
        _graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PostAsync($"/api/v1/outbox/{id}/resend", null)).StatusCode);
        await WaitForStateAsync(id, "unconfirmed");
        await Task.Delay(2000); // housekeeping ran (at most once a second)
        var row = await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/outbox/{id}");
        Assert.Equal("unconfirmed", row.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("waMessageId").ValueKind);

        // This attempt's own status confirms it, with its own wamid.
        Assert.Equal(2, _graph.RequestCount);
        string second = _graph.Requests[1].MessageId!;
        await _host.PostWebhookAsync(Payloads.Status(second, "sent", Now + 2, Jonas, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();
        row = await WaitForStateAsync(id, "accepted");
        Assert.Equal(second, row.GetProperty("waMessageId").GetString());

        // The first attempt's failure delivered again does not touch the second attempt.
        await _host.PostWebhookAsync(Payloads.Status(first, "failed", Now + 2, Jonas, errorCode: 131000, callbackData: $"threadline:outbox:{id}"));
        await _host.WaitForProcessingAsync();
        await Task.Delay(300);
        Assert.Equal("accepted", (await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/outbox/{id}")).GetProperty("state").GetString());
        Assert.Equal(2, _graph.RequestCount);
    }

    [Fact]
    public async Task ALateFailedStatus131026_MarksTheContact_AndNothingMoreIsSent()
    {
        var (conversation, id, wamid) = await PersonAnsweredAsync(new { text = "480 € netto." });

        await _host.PostWebhookAsync(Payloads.Status(wamid, "failed", Now, Jonas, errorCode: 131026));
        await _host.WaitForProcessingAsync();
        Assert.Equal(131026, (await WaitForStateAsync(id, "failed")).GetProperty("errorCode").GetInt32());
        Assert.NotNull(await ScalarAsync<long?>("SELECT undeliverable_at FROM contacts WHERE id = (SELECT contact_id FROM conversations WHERE id = @conversation)", new { conversation }));
        Assert.Equal("failed", (await _host.MessagesAsync("+" + Jonas)).Single(m => m.WaMessageId == wamid).Status);

        var next = await (await _host.Api.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { text = "Hallo?" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("cannot receive", (await WaitForStateAsync(next.GetProperty("id").GetInt64(), "failed")).GetProperty("error").GetString());
        Assert.Equal(1, _graph.RequestCount);
    }

    [Fact]
    public async Task AFailedStatusForAnUnconfirmedSend_SettlesIt_ByItsCallbackData()
    {
        _graph.InjectFault(FakeGraphFault.Timeout(TimeSpan.FromSeconds(3)));
        await WriteAsync(Emma, "What are your opening hours?");
        var row = Assert.Single(await AutomaticRowsAsync());
        await WaitForStateAsync(row.Id, "unconfirmed");
        await Task.Delay(2500); // the fake has now answered (too late) and holds the wamid it gave
        string wamid = Assert.Single(_graph.Requests).MessageId!;

        await _host.PostWebhookAsync(Payloads.Status(wamid, "failed", Now, Emma, errorCode: 131026, callbackData: $"threadline:outbox:{row.Id}"));
        await _host.WaitForProcessingAsync();
        var settled = await WaitForStateAsync(row.Id, "failed");
        Assert.Equal(wamid, settled.GetProperty("waMessageId").GetString());
        await Task.Delay(1500); // housekeeping ran: a failed row is not "confirmed" back to accepted
        Assert.Equal("failed", (await _host.Api.GetFromJsonAsync<JsonElement>($"/api/v1/outbox/{row.Id}")).GetProperty("state").GetString());
        // The automatic answer never arrived: a person takes the conversation.
        var detail = await ConversationOfAsync(row.ConversationId);
        Assert.Equal("human", detail.GetProperty("conversation").GetProperty("handler").GetString());
        Assert.True(detail.GetProperty("conversation").GetProperty("needsReply").GetBoolean());
    }

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        return await c.QuerySingleAsync<T>(sql, args);
    }
}
