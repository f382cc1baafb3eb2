using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Simulator;
using Threadline.Store;
using Threadline.Workers;
using Xunit.Abstractions;

namespace Threadline.IntegrationTests.Sending;

/// <summary>
/// PostgreSQL is the store for several server instances. Two instances share one database and one fake Graph API; a
/// hundred follow-ups come due at the same moment. Both schedulers claim them (small batches, so they really race), both
/// senders send: each follow-up fires exactly once, becomes exactly one outbox row and exactly one message to WhatsApp.
/// </summary>
public sealed class SeveralInstancesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Contacts = 100;
    private readonly List<ThreadlineHost> _hosts = [];
    private FakeGraphApi _graph = null!;

    public async Task InitializeAsync() => _graph = new FakeGraphApi();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _graph.DisposeAsync();
    }

    [Fact]
    public async Task TwoInstances_FireEachDueFollowUpOnce_AndSendItOnce()
    {
        var graphUri = await _graph.StartAsync();
        var settings = ThreadlineHost.SendingSettings(graphUri);
        settings["Business:OpenDays"] = "Mon-Sun";
        settings["FollowUps:PollIntervalMs"] = "10";
        settings["FollowUps:BatchSize"] = "2";

        // The first instance only takes the traffic in: it neither fires follow-ups nor sends.
        var intake = await ThreadlineHost.StartAsync(StoreKind.Postgres, new Dictionary<string, string?>(settings)
        {
            ["FollowUps:SchedulerEnabled"] = "false",
            ["Outbox:SendingEnabled"] = "false",
        });
        _hosts.Add(intake);
        var saved = await intake.Api.PutAsJsonAsync("/api/v1/follow-up-policy", new
        {
            policy = new
            {
                replyDelayMultiple = 3, minDelayMinutes = 1, maxDelayMinutes = 1, defaultDelayMinutes = 1, backoff = 2, maxAttempts = 2,
                daytimeStart = "00:00", daytimeEnd = "23:59", preferWindowWithinMinutes = 0, windowMarginMinutes = 1,
                texts = new Dictionary<string, string> { ["de"] = "Haben Sie noch Fragen zum Angebot?", ["en"] = "Any questions?" },
            },
            changedBy = "test",
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int n = 0; n < Contacts; n++)
        {
            string waId = $"49172{n:D7}";
            await intake.PostWebhookAsync(Payloads.Text(waId, $"wamid.multi.q.{n}", now - 600, "Was kostet die Pumpe P-200?"));
            await intake.PostWebhookAsync(Payloads.Echo(waId, $"wamid.multi.a.{n}", now - 300, "Die P-200 kostet 480 €. Soll ich Ihnen ein Angebot schicken?"));
        }
        await intake.WaitForProcessingAsync();
        var db = intake.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenAsync())
        {
            Assert.Equal(Contacts, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM follow_ups WHERE state = 'pending' AND attempt = 1"));
            // Held back until both instances run, so that neither gets a head start.
            await c.ExecuteAsync("UPDATE follow_ups SET due_at = 9000000000000 WHERE state = 'pending'");
        }

        var shared = new Dictionary<string, string?>(settings)
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = intake.Services.GetRequiredService<IConfiguration>()["Storage:ConnectionString"],
        };
        var first = await ThreadlineHost.StartAsync(StoreKind.Postgres, shared);
        _hosts.Add(first);
        var second = await ThreadlineHost.StartAsync(StoreKind.Postgres, shared);
        _hosts.Add(second);
        int firedByFirst = 0, firedBySecond = 0;
        first.Services.GetRequiredService<FollowUpScheduler>().Fired = _ => Interlocked.Increment(ref firedByFirst);
        second.Services.GetRequiredService<FollowUpScheduler>().Fired = _ => Interlocked.Increment(ref firedBySecond);

        await using (var c = await db.OpenAsync())
            await c.ExecuteAsync("UPDATE follow_ups SET due_at = 0 WHERE state = 'pending'");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((_graph.RequestCount < Contacts || Volatile.Read(ref firedByFirst) + Volatile.Read(ref firedBySecond) < Contacts) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await Task.Delay(1000); // anything fired or sent twice would show up now
        output.WriteLine($"fired: first instance {firedByFirst}, second {firedBySecond}; requests {_graph.RequestCount}");

        Assert.Equal(Contacts, firedByFirst + firedBySecond);
        Assert.True(firedByFirst > 0 && firedBySecond > 0, $"both instances should have taken part ({firedByFirst}/{firedBySecond})");
        await using (var c = await db.OpenAsync())
        {
            Assert.Equal(Contacts, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM follow_ups WHERE attempt = 1 AND state = 'fired'"));
            Assert.Equal(Contacts, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM outbox WHERE cause = 'follow_up'"));
            Assert.Equal(Contacts, await c.QuerySingleAsync<long>("SELECT COUNT(DISTINCT follow_up_id) FROM outbox WHERE cause = 'follow_up'"));
        }
        var requests = _graph.Requests;
        Assert.Equal(Contacts, requests.Count);
        Assert.Equal(Contacts, requests.Select(r => r.To).Distinct().Count());
        Assert.Equal(Contacts, requests.Select(r =>
        {
            using var body = JsonDocument.Parse(r.Body);
            return body.RootElement.GetProperty("biz_opaque_callback_data").GetString();
        }).Distinct().Count());
    }
}
