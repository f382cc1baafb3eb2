using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Simulator;
using Threadline.Store;

namespace Threadline.IntegrationTests.Sending;

public sealed class SqliteFollowUpFlowTests() : FollowUpFlowTests(StoreKind.Sqlite);
public sealed class PostgresFollowUpFlowTests() : FollowUpFlowTests(StoreKind.Postgres);

/// <summary>
/// Step 5 end to end: our question starts a silence that means hesitation → a follow-up is scheduled with its reasons →
/// it fires once through the outbox to the fake Graph API → the next one backs off → any message from the contact
/// cancels what is pending; completion and opt-outs schedule nothing; the policy is versioned data.
/// Delays are one minute and messages are dated minutes ago, so "due" is now without waiting.
/// </summary>
public abstract class FollowUpFlowTests(StoreKind store) : IAsyncLifetime
{
    private const string Jonas = "4917012345678";
    private ThreadlineHost _host = null!;
    private FakeGraphApi _graph = null!;

    public async Task InitializeAsync()
    {
        _graph = new FakeGraphApi();
        var graph = await _graph.StartAsync();
        var config = ThreadlineHost.SendingSettings(graph);
        config["FollowUps:PollIntervalMs"] = "50";
        config["Business:OpenDays"] = "Mon-Sun"; // follow-ups keep off the business's closed days; the tests run on any day
        _host = await ThreadlineHost.StartAsync(store, config);
        var saved = await _host.Api.PutAsJsonAsync("/api/v1/follow-up-policy", new
        {
            policy = new
            {
                replyDelayMultiple = 3, minDelayMinutes = 1, maxDelayMinutes = 1, defaultDelayMinutes = 1, backoff = 2, maxAttempts = 2,
                daytimeStart = "00:00", daytimeEnd = "23:59", preferWindowWithinMinutes = 0, windowMarginMinutes = 1,
                texts = new Dictionary<string, string> { ["de"] = "Hallo {name}, haben Sie noch Fragen zum Angebot?", ["en"] = "Hi {name}, any questions?" },
            },
            changedBy = "test",
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _graph.DisposeAsync();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task<JsonElement[]> FollowUpsAsync() =>
        (await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/follow-ups")).EnumerateArray().OrderBy(f => f.GetProperty("id").GetInt64()).ToArray();

    private async Task<JsonElement[]> WaitForFollowUpsAsync(Func<JsonElement[], bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await FollowUpsAsync();
            if (done(list)) return list;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(JsonSerializer.Serialize(list));
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task AnUnansweredQuestion_IsFollowedUpOnce_ThenBacksOff_AndTheContactsReplyCancelsTheRest()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", Now - 600, "Was kostet die Pumpe P-200?"));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.a1", Now - 300, "Die P-200 kostet 480 € netto. Soll ich Ihnen ein Angebot schicken?"));
        await _host.WaitForProcessingAsync();

        // The first follow-up fired (it was due a minute after our question) and went out once, as automation.
        var list = await WaitForFollowUpsAsync(l => l.Length == 2 && l[0].GetProperty("state").GetString() == "fired");
        Assert.Equal(1, list[0].GetProperty("attempt").GetInt32());
        var rules = list[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("rule").GetString()).ToList();
        Assert.Contains("silence.awaiting-answer", rules);
        Assert.Contains("followUp.delay", rules);
        Assert.Contains("followUp.freeform", rules);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_graph.RequestCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(25);
        var sent = Assert.Single(_graph.Requests);
        Assert.Equal("text", sent.Type);
        Assert.Contains("haben Sie noch Fragen", sent.Body);

        // The second backs off (×2) and waits.
        Assert.Equal("pending", list[1].GetProperty("state").GetString());
        Assert.Equal(2, list[1].GetProperty("attempt").GetInt32());
        Assert.True(list[1].GetProperty("dueAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(60));

        // Jonas answers: what was pending is cancelled, atomically with his message.
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q2", Now, "Ja, bitte schicken Sie das Angebot."));
        await _host.WaitForProcessingAsync();
        list = await FollowUpsAsync();
        Assert.Equal("cancelled", list[1].GetProperty("state").GetString());
        Assert.Equal("the contact wrote", list[1].GetProperty("outcome").GetString());
        await Task.Delay(300);
        Assert.Equal(1, _graph.RequestCount);
    }

    [Fact]
    public async Task AtMostMaxAttempts_PerSilence()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", Now - 3600, "Was kostet die Pumpe P-200?"));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.a1", Now - 1800, "Die P-200 kostet 480 €. Soll ich ein Angebot schicken?"));
        await _host.WaitForProcessingAsync();
        await WaitForFollowUpsAsync(l => l.Length == 2 && l[0].GetProperty("state").GetString() == "fired");
        // Pretend the second one is due now: it fires, and no third is planned.
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("UPDATE follow_ups SET due_at = 0 WHERE state = 'pending'");
        await using (var c = await _host.Services.GetRequiredService<Database>().OpenAsync())
            await c.ExecuteAsync("UPDATE conversations SET last_outbound_at = last_outbound_at - 600000");
        var list = await WaitForFollowUpsAsync(l => l.Length == 2 && l.All(f => f.GetProperty("state").GetString() != "pending"));
        await Task.Delay(500);
        list = await FollowUpsAsync();
        Assert.Equal(2, list.Length);
        Assert.DoesNotContain(list, f => f.GetProperty("state").GetString() == "pending");
    }

    [Fact]
    public async Task ACompletedExchange_SchedulesNothing()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", Now - 600, "Danke, das Paket ist angekommen."));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.a1", Now - 300, "Sehr gern, einen schönen Tag noch!"));
        await _host.WaitForProcessingAsync();
        await Task.Delay(300);
        Assert.Empty(await FollowUpsAsync());
        Assert.Equal(0, _graph.RequestCount);
    }

    [Fact]
    public async Task AfterStop_NoFollowUp()
    {
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", Now - 900, "Was kostet die P-200?"));
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q2", Now - 800, "STOP"));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.a1", Now - 300, "Die P-200 kostet 480 €. Soll ich ein Angebot schicken?"));
        await _host.WaitForProcessingAsync();
        await Task.Delay(300);
        Assert.Empty(await FollowUpsAsync());
        Assert.Equal(0, _graph.RequestCount);
    }

    [Fact]
    public async Task ThePolicy_IsValidatedAndVersioned_AndAChangeRePlansPendingFollowUps()
    {
        var bad = await _host.Api.PutAsJsonAsync("/api/v1/follow-up-policy", new
        {
            policy = new { minDelayMinutes = 600, maxDelayMinutes = 60, maxAttempts = 50, daytimeStart = "19:00", daytimeEnd = "9am" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        string problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("maxAttempts", problem);
        Assert.Contains("minDelayMinutes", problem);
        Assert.Contains("daytimeEnd", problem);

        // A pending follow-up due in a minute…
        await _host.PostWebhookAsync(Payloads.Text(Jonas, "wamid.q1", Now - 30, "Was kostet die P-200?"));
        await _host.PostWebhookAsync(Payloads.Echo(Jonas, "wamid.a1", Now - 10, "480 €. Soll ich ein Angebot schicken?"));
        await _host.WaitForProcessingAsync();
        var before = (await WaitForFollowUpsAsync(l => l.Length == 1))[0];
        Assert.Equal("pending", before.GetProperty("state").GetString());
        Assert.Equal(1, before.GetProperty("policyVersion").GetInt32());

        // …is moved by a policy that waits at least two hours.
        var current = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/follow-up-policy");
        var good = await _host.Api.PutAsJsonAsync("/api/v1/follow-up-policy", new
        {
            policy = new { minDelayMinutes = 120, maxDelayMinutes = 240, defaultDelayMinutes = 120, daytimeStart = "00:00", daytimeEnd = "23:59" },
            expectedVersion = current.GetProperty("version").GetInt32(),
            changedBy = "maria", note = "less pushy",
        });
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var after = (await WaitForFollowUpsAsync(l => l[0].GetProperty("policyVersion").GetInt32() == 2))[0];
        Assert.Equal("pending", after.GetProperty("state").GetString());
        Assert.True(after.GetProperty("dueAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(100));

        var stale = await _host.Api.PutAsJsonAsync("/api/v1/follow-up-policy", new { policy = new { }, expectedVersion = 1 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var versions = await _host.Api.GetFromJsonAsync<JsonElement>("/api/v1/follow-up-policy/versions");
        Assert.Equal([2, 1, 0], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray());
        Assert.Equal(0, _graph.RequestCount);
    }
}
