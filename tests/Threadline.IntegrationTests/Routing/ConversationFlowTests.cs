using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.WhatsApp.Webhooks;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Routing;

public sealed class SqliteConversationFlowTests() : ConversationFlowTests(StoreKind.Sqlite);
public sealed class PostgresConversationFlowTests() : ConversationFlowTests(StoreKind.Postgres);

/// <summary>Steps 3 and 4 through the real pipeline: webhooks in, conversations and explained decisions out, via the API.</summary>
public abstract class ConversationFlowTests(StoreKind store) : IAsyncLifetime
{
    // 2026-03-12T13:30:00Z, a Thursday: 14:30 in Berlin, inside the default Mon–Fri 09:00–18:00 hours.
    private const long T0 = 1_773_322_200;
    private const string Jonas = "4917012345678";
    private ThreadlineHost _host = null!;

    private static readonly Dictionary<string, string?> Config = new()
    {
        ["Business:TimeZone"] = "Europe/Berlin",
        ["Business:DefaultRegion"] = "DE",
        ["Business:Languages:0"] = "de",
        ["Business:Languages:1"] = "en",
        ["Business:AutomationIntents:0"] = "opening_hours",
        ["Automation:Answers:opening_hours:de"] = "Wir haben Mo–Fr 9–18 Uhr und samstags 10–14 Uhr geöffnet.",
        ["Outbox:SendingEnabled"] = "false", // decisions only: the automatic answer stays queued
        ["Routing:Agents:0:Id"] = "anna",
        ["Routing:Agents:0:Languages:0"] = "de",
        ["Routing:Agents:0:Languages:1"] = "en",
        ["Routing:Agents:1:Id"] = "ben",
        ["Routing:Agents:1:Languages:0"] = "en",
    };

    public async Task InitializeAsync() => _host = await ThreadlineHost.StartAsync(store, Config);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await _host.Api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement[]> ConversationsAsync() => (await GetAsync("/api/v1/conversations")).EnumerateArray().ToArray();

    private async Task<JsonElement> OnlyConversationAsync()
    {
        var list = await ConversationsAsync();
        Assert.Single(list);
        return await GetAsync($"/api/v1/conversations/{list[0].GetProperty("id").GetInt64()}");
    }

    [Fact]
    public async Task GermanComplaint_IsHighUrgency_ForAGermanSpeaker_WithSlaAndReasonsInTheDecisionLog()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.k1", T0, "Die gelieferte Pumpe ist defekt, wir brauchen dringend Ersatz!"));
        await _host.WaitForProcessingAsync();

        var detail = await OnlyConversationAsync();
        var conversation = detail.GetProperty("conversation");
        Assert.Equal("waiting_on_us", conversation.GetProperty("state").GetString());
        Assert.Equal("anna", conversation.GetProperty("assignee").GetString());
        Assert.Equal("high", conversation.GetProperty("urgency").GetString());
        var decision = Assert.Single(detail.GetProperty("decisions").EnumerateArray());
        Assert.Equal("complaint", decision.GetProperty("intent").GetString());
        Assert.Equal("de", decision.GetProperty("language").GetString());
        Assert.True(decision.GetProperty("needsReply").GetBoolean());
        Assert.Equal("human", decision.GetProperty("handler").GetString());
        Assert.Equal("anna", decision.GetProperty("assignee").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 15 * 60), decision.GetProperty("respondBy").GetDateTimeOffset());
        var rules = decision.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("rule").GetString()).ToList();
        Assert.Contains("urgency.complaint", rules);
        Assert.Contains("urgency.cue", rules);
        Assert.Contains("assignee.least-loaded", rules);
        var context = decision.GetProperty("context");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 86400), context.GetProperty("windowClosesAt").GetDateTimeOffset());
        Assert.Equal("Europe/Berlin", context.GetProperty("contactTimeZone").GetString());
        Assert.Equal("stored", context.GetProperty("contactTimeZoneSource").GetString()); // identity stored the zone of the number on the new contact
        Assert.Equal("defekt", decision.GetProperty("inputs").GetProperty("understanding").GetProperty("evidence")[0].GetString()!.Split('\'')[1]);
        var message = Assert.Single(detail.GetProperty("messages").EnumerateArray());
        Assert.Equal("Die gelieferte Pumpe ist defekt, wir brauchen dringend Ersatz!", message.GetProperty("text").GetString());
    }

    [Fact]
    public async Task QuestionAnswerThanks_ThenAWeekLater_OpensASecondConversationThatKnowsTheFirst()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", T0, "What would 20 units cost?"));
        await _host.WaitForProcessingAsync();
        Assert.True((await ConversationsAsync())[0].GetProperty("needsReply").GetBoolean());
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.q2", T0 + 1800, "Quote attached: EUR 12,000 incl. shipping."));
        await _host.WaitForProcessingAsync();
        var answered = (await ConversationsAsync())[0];   // our reply answered it: nothing owed, no deadline
        Assert.Equal(("waiting_on_them", false, JsonValueKind.Null),
            (answered.GetProperty("state").GetString(), answered.GetProperty("needsReply").GetBoolean(), answered.GetProperty("respondBy").ValueKind));
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q3", T0 + 3600, "Super, danke!"));
        await _host.WaitForProcessingAsync();

        var first = await OnlyConversationAsync();
        Assert.Equal(3, first.GetProperty("messages").GetArrayLength());
        Assert.Equal(["contact", "agent", "contact"], first.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("from").GetString()));
        var decisions = first.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(2, decisions.Count); // one per inbound message; our reply is recorded, not decided on
        Assert.Equal("price_request", decisions[0].GetProperty("intent").GetString());
        Assert.Equal("acknowledgement", decisions[1].GetProperty("intent").GetString());
        Assert.False(decisions[1].GetProperty("needsReply").GetBoolean());
        Assert.Equal("none", decisions[1].GetProperty("handler").GetString());
        Assert.Equal(1, decisions[1].GetProperty("context").GetProperty("replyDelay").GetProperty("samples").GetInt32());
        Assert.False(first.GetProperty("conversation").GetProperty("needsReply").GetBoolean());

        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q4", T0 + 8 * 86400, "Hallo, habt ihr am Samstag geöffnet?"));
        await _host.WaitForProcessingAsync();
        var list = await ConversationsAsync();
        Assert.Equal(2, list.Length);
        var second = await GetAsync($"/api/v1/conversations/{list[0].GetProperty("id").GetInt64()}");
        var decision = Assert.Single(second.GetProperty("decisions").EnumerateArray());
        var context = decision.GetProperty("context");
        Assert.True(context.GetProperty("newConversation").GetBoolean());
        Assert.Equal(1, context.GetProperty("priorConversations").GetInt32());
        Assert.Equal("acknowledged", context.GetProperty("lastOutcome").GetString());
        Assert.Contains("price_request", context.GetProperty("inquiryHistory").EnumerateArray().Select(i => i.GetProperty("intent").GetString()));
        Assert.Equal("opening_hours", decision.GetProperty("intent").GetString());
        Assert.Equal("automation", decision.GetProperty("handler").GetString());
        Assert.Equal(JsonValueKind.Null, decision.GetProperty("assignee").ValueKind);
    }

    [Fact]
    public async Task Redelivery_AndAReplayedBatch_ThreadAndDecideEachMessageOnce()
    {
        var body = Payloads.Text(Jonas, "wamid.r1", T0, "Können Sie mir bis heute noch ein Angebot schicken?");
        await _host.PostWebhookAsync(body);
        await _host.WaitForProcessingAsync();
        // The same message in a different envelope (WhatsApp retries are not byte-identical): a new inbox row, the same message.
        await _host.PostWebhookAsync(body.Replace("\"Ana Example\"", "\"Ana  Example\""));
        await _host.WaitForProcessingAsync();

        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM decisions"));
        Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM conversation_messages"));
        Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT message_count FROM conversations"));
        Assert.Equal(("price_request", "high"), await c.QuerySingleAsync<(string, string)>("SELECT intent, urgency FROM decisions"));
    }

    [Fact]
    public async Task Stop_RecordsTheOptOut_AndNeedsNoReply()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.s1", T0, "STOP"));
        await _host.WaitForProcessingAsync();

        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        Assert.True(await c.QuerySingleAsync<bool>("SELECT opted_out FROM contacts"));
        Assert.Equal(("opt_out", false, "none"), await c.QuerySingleAsync<(string, bool, string)>("SELECT intent, needs_reply, handler FROM decisions"));
    }

    [Fact]
    public async Task AwaySwitch_ThroughTheApi_SendsNewConversationsToAnotherAgent()
    {
        var away = await _host.Api.PutAsJsonAsync("/api/v1/agents/anna/away", new { away = true });
        Assert.Equal(HttpStatusCode.OK, away.StatusCode);
        var put = await _host.Api.PutAsJsonAsync("/api/v1/agents/carl", new { languages = new[] { "de" }, name = "Carl" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.PutAsJsonAsync("/api/v1/agents/x", new { languages = Array.Empty<string>() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PutAsJsonAsync("/api/v1/agents/nobody/away", new { away = true })).StatusCode);

        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.a1", T0, "Wann können wir einen Termin vereinbaren?"));
        await _host.WaitForProcessingAsync();
        var decision = (await OnlyConversationAsync()).GetProperty("decisions")[0];
        Assert.Equal("scheduling", decision.GetProperty("intent").GetString());
        Assert.Equal("carl", decision.GetProperty("assignee").GetString());

        var agents = (await GetAsync("/api/v1/agents")).EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!);
        Assert.True(agents["anna"].GetProperty("away").GetBoolean());
        Assert.Equal(1, agents["carl"].GetProperty("openConversations").GetInt64());
    }

    [Fact]
    public async Task ClosedConversation_TheNextMessageOpensANewOne_ThatKnowsHowTheFirstEnded()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.c1", T0, "Is model X200 still available?"));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.c2", T0 + 600, "Yes, 14 in stock."));
        await _host.WaitForProcessingAsync();
        long first = (await ConversationsAsync())[0].GetProperty("id").GetInt64();
        var closed = await _host.Api.PostAsync($"/api/v1/conversations/{first}/close", null);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var summary = await closed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("closed", "answered"), (summary.GetProperty("state").GetString(), summary.GetProperty("outcome").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Api.PostAsync("/api/v1/conversations/987654/close", null)).StatusCode);

        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.c3", T0 + 900, "And the X300?"));   // minutes later, but the first was closed
        await _host.WaitForProcessingAsync();
        var list = await ConversationsAsync();
        Assert.Equal(2, list.Length);
        var context = (await GetAsync($"/api/v1/conversations/{list[0].GetProperty("id").GetInt64()}")).GetProperty("decisions")[0].GetProperty("context");
        Assert.Equal("the previous conversation was closed", context.GetProperty("threading").GetString());
        Assert.Equal("answered", context.GetProperty("lastOutcome").GetString());
    }

    [Fact]
    public async Task AgentLoad_CountsOpenConversations_ThroughAssignCloseReopenByReplyAndGap()
    {
        async Task<long> LoadAsync(string agent) =>
            (await GetAsync("/api/v1/agents")).EnumerateArray().Single(a => a.GetProperty("id").GetString() == agent).GetProperty("openConversations").GetInt64();
        Task<List<(string State, string? Assignee, long? ClosedAt)>> RowsAsync() =>
            ScalarListAsync<(string State, string? Assignee, long? ClosedAt)>("SELECT state, assignee, closed_at FROM conversations ORDER BY id");

        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.l1", T0, "Wann können wir einen Termin vereinbaren?"));
        await _host.PostWebhookAsync(Payloads.Text("4917099999999", "wamid.l2", T0 + 5, "Was kostet die Pumpe P3?"));
        await _host.WaitForProcessingAsync();
        Assert.Equal(2, await LoadAsync("anna"));   // the only German speaker: a new conversation is inserted with its assignee
        Assert.Equal(0, await LoadAsync("ben"));
        Assert.All(await RowsAsync(), r => Assert.Equal(("waiting_on_us", "anna", (long?)null), r));

        // The state flips with every message (only assignee and closed_at decide the load): still 2.
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.l3", T0 + 60, "Gerne, Dienstag 10 Uhr?"));
        await _host.WaitForProcessingAsync();
        Assert.Equal(2, await LoadAsync("anna"));

        long first = (await ConversationsAsync()).Single(x => x.GetProperty("state").GetString() == "waiting_on_them").GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await _host.Api.PostAsync($"/api/v1/conversations/{first}/close", null)).StatusCode);
        Assert.Equal(1, await LoadAsync("anna"));
        Assert.Contains(await RowsAsync(), r => r.State == "closed" && r.ClosedAt is not null);

        // A reply to our message in the closed conversation reopens it: open again, closed_at cleared, counted again.
        await _host.PostWebhookAsync(Payloads.Inbound(Jonas, Payloads.TextMessage(Jonas, "wamid.l4", T0 + 120, "Dienstag passt nicht, Mittwoch?", replyTo: "wamid.l3")));
        await _host.WaitForProcessingAsync();
        Assert.Equal(2, await LoadAsync("anna"));
        Assert.All(await RowsAsync(), r => Assert.Equal((r.State == "closed", r.ClosedAt is not null), (false, false)));
        Assert.Equal(2, (await RowsAsync()).Count);
        var reopened = await GetAsync($"/api/v1/conversations/{first}");
        Assert.Equal("replies to a message of this conversation",
            reopened.GetProperty("decisions").EnumerateArray().Last().GetProperty("context").GetProperty("threading").GetString());

        // Weeks later, a reply quoting that conversation still joins it (a reply always joins the quoted conversation);
        // a message that quotes nothing opens a new one.
        await _host.PostWebhookAsync(Payloads.Inbound(Jonas, Payloads.TextMessage(Jonas, "wamid.l5", T0 + 30 * 86400, "Zu Ihrem Vorschlag oben: ja", replyTo: "wamid.l3")));
        await _host.WaitForProcessingAsync();
        Assert.Equal(2, (await RowsAsync()).Count);
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.l6", T0 + 60 * 86400, "Neue Frage: liefern Sie auch nach Wien?"));
        await _host.WaitForProcessingAsync();
        Assert.Equal(3, (await RowsAsync()).Count);
        Assert.Equal(2, await LoadAsync("anna"));   // the conversation the gap ended was closed with it: it no longer counts
        var ended = (await ConversationsAsync()).Single(x => x.GetProperty("id").GetInt64() == first);
        Assert.Equal(("closed", "unanswered"), (ended.GetProperty("state").GetString(), ended.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task ABatchThatAssignsNobody_LeavesTheAgentsForTheNextBatch()
    {
        // Agents' loads are cached for a second between batches; a batch in which no conversation changed hands once
        // emptied that cache, so the next second's messages were routed as if no agents were configured.
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.n1", T0, "Was kostet die Pumpe P3?"));
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.n2", T0 + 30, "Und die P4?"));   // same conversation, same agent
        await _host.WaitForProcessingAsync();
        await _host.PostWebhookAsync(Payloads.Text("4917099999999", "wamid.n3", T0 + 60, "Haben Sie Ersatzteile für die P3?"));
        await _host.WaitForProcessingAsync();

        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        var decided = (await c.QueryAsync<(string MessageId, string? Assignee, string Rule)>(
            "SELECT message_id, assignee, rule FROM decisions ORDER BY message_id")).ToList();
        Assert.Equal(["wamid.n1", "wamid.n2", "wamid.n3"], decided.Select(d => d.MessageId));
        Assert.All(decided, d => Assert.Equal("anna", d.Assignee));
        Assert.DoesNotContain(await c.QueryAsync<string>("SELECT reasons FROM decisions"), r => r.Contains("no agents are configured"));
    }

    /// <summary>These webhook bodies through the pipeline's steps as one batch (as the inbox worker takes them when they
    /// arrive together), committed; or rolled back, as a batch that failed is before its rows are retried one by one.</summary>
    private async Task OneBatchAsync(params string[] bodies) => await OneBatchAsync(commit: true, bodies);

    private async Task OneBatchAsync(bool commit, params string[] bodies)
    {
        var db = _host.Services.GetRequiredService<Database>();
        var processor = _host.Services.GetRequiredService<InboxProcessor>();
        await using var c = await db.OpenAsync();
        using var turn = await db.WriteTurnAsync(CancellationToken.None);
        await using var tx = await c.BeginTransactionAsync();
        var result = await processor.RunStepsAsync(c, tx,
            bodies.Select(b => WebhookParser.Parse(System.Text.Encoding.UTF8.GetBytes(b)).Batch!).ToList(), CancellationToken.None);
        if (!commit)
        {
            await tx.RollbackAsync();
            return;
        }
        await tx.CommitAsync();
        processor.Committed(result);
    }

    [Fact]
    public async Task AReplyJoiningAnOlderConversation_MakesItTheOneTheNextMessageContinues_InOneBatchAsInSeveral()
    {
        // Per contact: a first conversation we answered and a person closed, then a second one; the contact replies to our
        // answer in the first (it joins and reopens it) and then writes without quoting. The store takes the most recently
        // active conversation as the contact's latest; the batch runner kept the one it had started from, so the same
        // messages landed in different conversations depending on how they were batched.
        async Task<(long First, long Second)> PrepareAsync(string waId, string prefix)
        {
            await OneBatchAsync(Payloads.Text(waId, prefix + "1", T0, "Was kostet die Pumpe P3?"));
            await OneBatchAsync(Payloads.Echo(waId, prefix + "2", T0 + 60, "Die P3 kostet 12 EUR."));
            long first = await ScalarAsync<long>($"SELECT conversation_id FROM conversation_messages WHERE message_id = '{prefix}1'");
            Assert.Equal(HttpStatusCode.OK, (await _host.Api.PostAsync($"/api/v1/conversations/{first}/close", null)).StatusCode);
            await OneBatchAsync(Payloads.Text(waId, prefix + "3", T0 + 3600, "Andere Frage: liefern Sie nach Wien?"));
            long second = await ScalarAsync<long>($"SELECT conversation_id FROM conversation_messages WHERE message_id = '{prefix}3'");
            Assert.NotEqual(first, second);
            return (first, second);
        }
        string Reply(string waId, string prefix) => Payloads.Inbound(waId, Payloads.TextMessage(waId, prefix + "4", T0 + 7200, "Zur P3: gibt es Rabatt ab 10 Stück?", replyTo: prefix + "2"));
        string Plain(string waId, string prefix) => Payloads.Text(waId, prefix + "5", T0 + 7260, "Und wie lange ist die Lieferzeit?");
        Task<long> ConversationOf(string messageId) => ScalarAsync<long>($"SELECT conversation_id FROM conversation_messages WHERE message_id = '{messageId}'");

        var (first, _) = await PrepareAsync(Jonas, "wamid.sep");
        await OneBatchAsync(Reply(Jonas, "wamid.sep"));
        await OneBatchAsync(Plain(Jonas, "wamid.sep"));
        Assert.Equal(first, await ConversationOf("wamid.sep4"));
        Assert.Equal(first, await ConversationOf("wamid.sep5"));

        const string Mia = "4917011112222";
        var (miaFirst, _) = await PrepareAsync(Mia, "wamid.one");
        await OneBatchAsync(Reply(Mia, "wamid.one"), Plain(Mia, "wamid.one"));
        Assert.Equal(miaFirst, await ConversationOf("wamid.one4"));
        Assert.Equal(miaFirst, await ConversationOf("wamid.one5"));
    }

    [Fact]
    public async Task QuietConversations_AreClosedByTheCloser_UnlessAReplyIsOwed_AFollowUpIsPlanned_OrTheGapHasNotPassed()
    {
        // Without the closer a conversation stayed open until the contact wrote again: every contact who never did
        // counted in an agent's load for good.
        const string Answered = "4917011110001", Owed = "4917011110002", FollowUp = "4917011110003", Recent = "4917011110004";
        long recent = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeSeconds();   // the messages' own times decide, against the real clock
        await OneBatchAsync(Payloads.Text(Answered, "wamid.i1", T0, "Was kostet die Pumpe P3?"), Payloads.Echo(Answered, "wamid.i2", T0 + 60, "Die P3 kostet 12 EUR."),
            Payloads.Text(Owed, "wamid.i3", T0, "Was kostet die Pumpe P4?"),
            Payloads.Text(FollowUp, "wamid.i5", T0, "Was kostet die Pumpe P5?"), Payloads.Echo(FollowUp, "wamid.i6", T0 + 60, "Die P5 kostet 15 EUR."),
            Payloads.Text(Recent, "wamid.i7", recent, "Was kostet die Pumpe P6?"), Payloads.Echo(Recent, "wamid.i8", recent + 60, "Die P6 kostet 18 EUR."));
        Task<long> ConversationOf(string messageId) => ScalarAsync<long>($"SELECT conversation_id FROM conversation_messages WHERE message_id = '{messageId}'");
        long answered = await ConversationOf("wamid.i1"), owed = await ConversationOf("wamid.i3"), followUp = await ConversationOf("wamid.i5"), young = await ConversationOf("wamid.i7");
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
        {
            // Whatever the planner chose for our answers: the one conversation keeps a planned follow-up, the others none.
            await c.ExecuteAsync("UPDATE follow_ups SET state = 'cancelled'");
            await c.ExecuteAsync("INSERT INTO follow_ups (conversation_id, contact_id, attempt, silence_since, due_at, kind, state, policy_version, replan, reasons, created_at, updated_at) " +
                "SELECT id, contact_id, 1, last_message_at, last_message_at + 86400000, 'freeform', 'pending', 0, FALSE, '[]', last_message_at, last_message_at FROM conversations WHERE id = @followUp",
                new { followUp });
        }
        Assert.Equal(4, await ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE assignee = 'anna' AND closed_at IS NULL"));

        var closer = _host.Services.GetRequiredService<ConversationCloser>();
        Assert.Equal(1, await closer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await closer.RunOnceAsync(CancellationToken.None));   // closed once

        var rows = (await ScalarListAsync<(long Id, string State, string? Outcome, long? ClosedAt)>("SELECT id, state, outcome, closed_at FROM conversations")).ToDictionary(r => r.Id);
        Assert.Equal(("closed", "answered"), (rows[answered].State, rows[answered].Outcome));
        Assert.NotNull(rows[answered].ClosedAt);
        Assert.Equal("waiting_on_us", rows[owed].State);         // a reply is owed: it stays, overdue, for a person
        Assert.Equal("waiting_on_them", rows[followUp].State);   // a follow-up is planned: the silence is still being worked on
        Assert.Equal("waiting_on_them", rows[young].State);      // quiet for two days only
        var annaLoad = (await GetAsync("/api/v1/agents")).EnumerateArray().Single(a => a.GetProperty("id").GetString() == "anna").GetProperty("openConversations").GetInt64();
        Assert.Equal(3, annaLoad);

        // The contact's next message opens a new conversation; a reply quoting the closed one still reopens it.
        await OneBatchAsync(Payloads.Text(Answered, "wamid.i9", T0 + 90 * 86400, "Neue Frage: liefern Sie nach Wien?"));
        Assert.NotEqual(answered, await ConversationOf("wamid.i9"));
        await OneBatchAsync(Payloads.Inbound(Answered, Payloads.TextMessage(Answered, "wamid.i10", T0 + 90 * 86400 + 60, "Und die P3 zum alten Preis?", replyTo: "wamid.i2")));
        Assert.Equal(answered, await ConversationOf("wamid.i10"));
    }

    [Fact]
    public async Task TheCloser_IsNotHeldUpByConversationsItKeepsOpen()
    {
        // A quiet conversation waiting on the contact that still owes a reply stays open; with batches of one, such a row
        // ahead of a closable one must not take the batch every time.
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.h1", T0, "Was kostet die Pumpe P3?"), Payloads.Echo(Jonas, "wamid.h2", T0 + 60, "Die P3 kostet 12 EUR."),
            Payloads.Text("4917011110005", "wamid.h3", T0, "Was kostet die Pumpe P4?"), Payloads.Echo("4917011110005", "wamid.h4", T0 + 60, "Die P4 kostet 15 EUR."));
        long kept = await ScalarAsync<long>("SELECT MIN(id) FROM conversations"), closable = await ScalarAsync<long>("SELECT MAX(id) FROM conversations");
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
        {
            await c.ExecuteAsync("UPDATE follow_ups SET state = 'cancelled'");
            await c.ExecuteAsync("UPDATE conversations SET reply_owed_since = last_message_at WHERE id = @kept", new { kept });
        }
        var commands = _host.Services.GetRequiredService<ConversationCommands>();
        Assert.Equal(1, await commands.CloseIdleAsync(TimeSpan.FromDays(7), limit: 1, CancellationToken.None));
        Assert.Equal(["waiting_on_them", "closed"], await ScalarListAsync<string>($"SELECT state FROM conversations WHERE id IN ({kept}, {closable}) ORDER BY id"));
    }

    [Fact]
    public async Task ABatchRolledBack_LeavesTheAgentsLoadsAsTheDatabaseHasThem()
    {
        // The agents' loads are cached for up to a second and the runner counts each batch's assignments into them. A batch
        // that is rolled back (and then retried row by row) once counted its assignments all the same: the next contacts
        // were routed on loads the database did not have, and a retried batch counted them twice.
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.rb1", T0, "Was kostet die Pumpe P3?"));                      // anna: 1 (committed)
        await OneBatchAsync(commit: false, Payloads.Text("4917099999999", "wamid.rb2", T0 + 5, "Haben Sie die P4?")); // anna would be 2: rolled back
        await OneBatchAsync(Payloads.Text("4917088888888", "wamid.rb3", T0 + 10, "Liefern Sie auch nach Wien?"));
        using var inputs = JsonDocument.Parse(await ScalarAsync<string>("SELECT inputs FROM decisions WHERE message_id = 'wamid.rb3'"));
        var anna = inputs.RootElement.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("id").GetString() == "anna");
        Assert.Equal(1, anna.GetProperty("openConversations").GetInt32());
        Assert.Equal(0, await ScalarAsync<long>("SELECT COUNT(*) FROM decisions WHERE message_id = 'wamid.rb2'"));
        Assert.Equal(2, await ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE assignee = 'anna' AND closed_at IS NULL"));
    }

    private async Task<T> ScalarAsync<T>(string sql) => (await ScalarListAsync<T>(sql)).Single();

    [Fact]
    public async Task AQuestionAndOurAnswerInOneBatch_LeaveNoReplyOwed_NoDeadline_AndNoAutomaticAnswerOnTop()
    {
        // Two batches: the same outcome is the reference.
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.q1", T0, "Wann haben Sie am Samstag geöffnet?"),
            Payloads.Echo(Jonas, "wamid.q2", T0 + 60, "Samstags 10–14 Uhr."));
        Assert.Equal((false, (long?)null, "waiting_on_them"), await ScalarAsync<(bool, long?, string)>("SELECT needs_reply, respond_by, state FROM conversations"));
        Assert.Equal("opening_hours", await ScalarAsync<string>("SELECT intent FROM decisions"));   // the question was still decided and logged
        Assert.Equal(0, await ScalarAsync<long>("SELECT COUNT(*) FROM outbox"));                    // a person answered: automation stays out
    }

    [Fact]
    public async Task TheContactWritingInTheSameBatchAsOurNextMessage_StartsTheFollowUpCountAfresh()
    {
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.f1", T0, "Was kostet die Pumpe P3?"));
        await OneBatchAsync(Payloads.Echo(Jonas, "wamid.f2", T0 + 60, "Die P3 kostet 12 EUR. Sollen wir ein Angebot schicken?"));
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
        {
            // Both follow-ups the policy allows (2) went out and were not answered...
            await c.ExecuteAsync("UPDATE follow_ups SET state = 'fired'");
            await c.ExecuteAsync("INSERT INTO follow_ups (conversation_id, contact_id, attempt, silence_since, due_at, kind, state, policy_version, replan, reasons, created_at, updated_at) " +
                "SELECT conversation_id, contact_id, 2, silence_since, due_at, kind, 'fired', policy_version, FALSE, reasons, created_at, updated_at FROM follow_ups");
        }
        // ...then the contact answers and we write again, both in one batch: our new silence gets its first follow-up.
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.f3", T0 + 86400, "Und die P4?"),
            Payloads.Echo(Jonas, "wamid.f4", T0 + 86400 + 60, "Die P4 kostet 15 EUR. Sollen wir ein Angebot schicken?"));
        Assert.Equal((1L, 1L), await ScalarAsync<(long, long)>("SELECT COUNT(*), MIN(attempt) FROM follow_ups WHERE state = 'pending'"));
    }

    [Fact]
    public async Task AConversationTheGapCloses_OwesNothing_AndAReplyReopeningItStartsAFreshClock()
    {
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.o1", T0, "Was kostet die Pumpe P3?"));
        long first = await ScalarAsync<long>("SELECT id FROM conversations");
        await OneBatchAsync(Payloads.Text(Jonas, "wamid.o2", T0 + 10 * 86400, "Neue Frage: liefern Sie nach Wien?"));
        Assert.Equal(("closed", false, (long?)null),
            await ScalarAsync<(string, bool, long?)>($"SELECT state, needs_reply, respond_by FROM conversations WHERE id = {first}"));

        // Ten days later the contact quotes the old question: the old conversation reopens, owing a reply from now, not from ten days ago.
        await OneBatchAsync(Payloads.Inbound(Jonas, Payloads.TextMessage(Jonas, "wamid.o3", T0 + 10 * 86400 + 60, "Zur Pumpe: gibt es die auch in Rot?", replyTo: "wamid.o1")));
        var (state, needsReply, respondBy) = await ScalarAsync<(string, bool, long?)>($"SELECT state, needs_reply, respond_by FROM conversations WHERE id = {first}");
        Assert.Equal(("waiting_on_us", true), (state, needsReply));
        Assert.True(respondBy > (T0 + 10 * 86400 + 60) * 1000, $"respond_by {respondBy} lies before the message that reopened the conversation");
    }

    [Fact]
    public async Task AConversationTheGapCloses_LeavesItsAgentsLoadAtOnce_SoTheNextNewContactIsRoutedOnTheRealLoads()
    {
        const string A = "4917011111111", B = "4917022222222", C = "4917033333333";
        await OneBatchAsync(Payloads.Text(A, "wamid.g1", T0, "What does the pump P3 cost?"));          // anna (tie 0:0, by id)
        await OneBatchAsync(Payloads.Text(B, "wamid.g2", T0 + 5, "What does the pump P4 cost?"));      // ben (anna 1, ben 0)
        await OneBatchAsync(Payloads.Text(A, "wamid.g3", T0 + 8 * 86400, "Do you also sell valves?")); // the gap closes A's first: anna 1, ben 1 → anna
        await OneBatchAsync(Payloads.Text(C, "wamid.g4", T0 + 8 * 86400 + 5, "Do you ship to Vienna?")); // anna 1, ben 1 → anna (by id)
        // Within a second the agents' loads come from the runner's own count, not from the database: it must agree.
        Assert.Equal(["anna", "ben", "anna", "anna"],
            await ScalarListAsync<string>("SELECT assignee FROM decisions ORDER BY message_id"));
    }

    private async Task<List<T>> ScalarListAsync<T>(string sql)
    {
        await using var c = await _host.Services.GetRequiredService<Database>().OpenAsync();
        return (await c.QueryAsync<T>(sql)).ToList();
    }

    [Fact]
    public async Task UnknownConversation_Is404ProblemDetails_AndBadStateIs400()
    {
        var response = await _host.Api.GetAsync("/api/v1/conversations/999999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Api.GetAsync("/api/v1/conversations?state=lost")).StatusCode);
    }
}
