using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Capture;
using Threadline.Store.Conversations;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteLookupIndexTests() : LookupIndexTests(StoreKind.Sqlite);
public sealed class PostgresLookupIndexTests() : LookupIndexTests(StoreKind.Postgres);

/// <summary>
/// Two lookups the worker makes for every batch must reach their rows through the index made for them (migration 0008),
/// whatever the planner thinks of the tables' sizes: on PostgreSQL with young statistics they fell back to reading far
/// more (185 ms and 14 ms per batch). The plan is asked with sequential scans (and bitmap ANDs) ruled out on PostgreSQL,
/// so that only a usable index can serve them, and must name the index with its full condition.
/// </summary>
public abstract class LookupIndexTests(StoreKind store)
{
    private static async Task<string> PlanAsync(ThreadlineHost host, string sql, object parameters)
    {
        var db = host.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync();
        await using var tx = await c.BeginTransactionAsync();
        if (db.Provider == StorageProvider.Postgres)
        {
            await c.ExecuteAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off", transaction: tx);
            return string.Join("\n", await c.QueryAsync<string>("EXPLAIN " + sql, parameters, tx));
        }
        var rows = await c.QueryAsync("EXPLAIN QUERY PLAN " + sql, parameters, tx);
        return string.Join("\n", rows.Select(r => (string)((IDictionary<string, object>)r)["detail"]));
    }

    [Fact]
    public async Task Edits_and_revokes_waiting_for_their_message_are_found_through_their_partial_index()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        var dialect = host.Services.GetRequiredService<Database>().Dialect;
        string plan = await PlanAsync(host, CaptureWriter.LateChangesSql(dialect), new { chunk = dialect.List(new[] { "wamid.a", "wamid.b" }) });
        Assert.Contains("ix_messages_changes", plan);
        Assert.DoesNotContain("ix_messages_ref", plan); // dropped
    }

    [Fact]
    public async Task A_contacts_phone_and_user_id_are_each_one_probe_by_contact_and_kind()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        var dialect = host.Services.GetRequiredService<Database>().Dialect;
        string plan = await PlanAsync(host, ConversationStore.ProfilesSql(dialect), new { ids = dialect.List(new[] { 1L, 2L }) });
        if (store == StoreKind.Sqlite)
            Assert.Equal(2, plan.Split('\n').Count(line => line.Contains("ix_contact_identities_contact (contact_id=? AND kind=?)")));
        else
        {
            var probes = plan.Split('\n').Where(line => line.Contains("ix_contact_identities_contact")).ToList();
            Assert.Equal(2, probes.Count);
            Assert.DoesNotContain("ux_contact_identities", plan);
            Assert.Equal(2, plan.Split('\n').Count(line => line.Contains("Index Cond: ((contact_id = c.id) AND (kind =")));
        }
    }
}
