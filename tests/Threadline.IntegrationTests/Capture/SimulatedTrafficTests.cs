using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Simulator;
using Threadline.Store;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteSimulatedTrafficTests() : SimulatedTrafficTests(StoreKind.Sqlite);
public sealed class PostgresSimulatedTrafficTests() : SimulatedTrafficTests(StoreKind.Postgres);

/// <summary>The simulator's realistic traffic (all types, duplicates, out-of-order statuses) through real HTTP.</summary>
public abstract class SimulatedTrafficTests(StoreKind store)
{
    [Fact]
    public async Task SimulatedTraffic_EveryAcknowledgedMessageStoredOnce_NoDeadLetters_StatusesForwardOnly()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        var generator = new TrafficGenerator(new TrafficOptions { Seed = 7, Senders = 40, AppSecret = ThreadlineHost.AppSecret });
        using var http = new HttpClient();
        var summary = await new WebhookSender(http).SendAsync(host.BaseAddress, generator.Generate(), 1500,
            new WebhookSendOptions { RatePerSecond = 0, MaxInFlight = 16 });
        Assert.Equal(1500, summary.Acknowledged);
        Assert.True(summary.Duplicates > 0, "the simulator should re-deliver some bodies");

        var stats = await host.WaitForProcessingAsync(TimeSpan.FromSeconds(60));
        var dead = await host.Services.GetRequiredService<Threadline.Store.Inbox.InboxQueue>().DeadAsync(3, default);
        Assert.True(stats.DeadLettered == 0, $"{stats.DeadLettered} dead letters, e.g. {string.Join(" | ", dead.Select(d => d.LastError))}");
        Assert.Equal(stats.Received, stats.Processed);

        var db = host.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync();
        var stored = (await c.QueryAsync<string>("SELECT wa_message_id FROM messages")).ToHashSet();
        Assert.Superset(stored, summary.AcknowledgedMessageIds.ToHashSet());
        Assert.Equal(0, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM events WHERE kind LIKE 'invalid_%' OR kind IN ('unknown_object', 'unrecognized_value')"));

        // Forward-only: every outbound message shows the highest-ranked status reported for it.
        var regressions = await c.QuerySingleAsync<long>("""
            SELECT COUNT(*) FROM messages m
            WHERE m.direction = 'out' AND m.status_rank < (SELECT MAX(s.status_rank) FROM message_statuses s WHERE s.wa_message_id = m.wa_message_id)
            """);
        Assert.Equal(0, regressions);
        Assert.True(await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'read'") > 0);
    }
}
