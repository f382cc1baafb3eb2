using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Migrations;

namespace Threadline.IntegrationTests.Routing;

/// <summary>
/// Migration 0007 moves the agents' load from "state is not closed" to "closed_at is not set": on a store made by the
/// migrations before it, rows that broke "closed exactly when closed_at is set" are mended, so no agent's load changes.
/// </summary>
public sealed class AgentLoadMigrationTests : ScratchDirectory
{
    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Rows_made_before_0007_keep_their_agents_load_and_the_closed_rule_holds_after_it(StoreKind kind)
    {
        var db = await TestDatabases.CreateStoreAsync(kind, Directory);
        await using var c = await db.OpenAsync();
        await OlderSchema.ApplyBeforeAsync(db, c, inbox: false, version: 7);
        const string insert = "INSERT INTO conversations (id, contact_id, state, opened_at, last_message_at, last_from, message_count, pending_intents, pending_cues, assignee, closed_at, updated_at) " +
            "VALUES (@id, 1, @state, 0, 0, 'contact', 1, '', '', @assignee, @closedAt, @updatedAt)";
        await c.ExecuteAsync(insert, new[]
        {
            new { id = 1L, state = "waiting_on_us", assignee = (string?)"anna", closedAt = (long?)null, updatedAt = 10L },
            new { id = 2L, state = "closed", assignee = (string?)"anna", closedAt = (long?)null, updatedAt = 20L },       // closed, closed_at missing
            new { id = 3L, state = "waiting_on_them", assignee = (string?)"anna", closedAt = (long?)30L, updatedAt = 40L }, // open, closed_at left over
            new { id = 4L, state = "closed", assignee = (string?)"ben", closedAt = (long?)50L, updatedAt = 60L },
            new { id = 5L, state = "snoozed", assignee = (string?)"ben", closedAt = (long?)null, updatedAt = 70L },
        });
        long Load(string agent, string where) => c.QuerySingle<long>($"SELECT COUNT(*) FROM conversations WHERE assignee = @agent AND {where}", new { agent });
        var before = new[] { Load("anna", "state <> 'closed'"), Load("ben", "state <> 'closed'") };
        Assert.Equal(new long[] { 2, 1 }, before);

        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        Assert.Contains(7, await c.QueryAsync<int>("SELECT version FROM schema_migrations"));

        Assert.Equal(before, new[] { Load("anna", "closed_at IS NULL"), Load("ben", "closed_at IS NULL") });
        var rows = (await c.QueryAsync<(long Id, string State, long? ClosedAt)>("SELECT id, state, closed_at FROM conversations ORDER BY id")).ToList();
        Assert.Equal([(1L, "waiting_on_us", (long?)null), (2L, "closed", 20L), (3L, "waiting_on_them", null), (4L, "closed", 50L), (5L, "snoozed", null)], rows);
        string indexes = kind == StoreKind.Sqlite
            ? "SELECT group_concat(name) FROM pragma_index_info('ix_conversations_assignee')"
            : "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_conversations_assignee'";
        string definition = await c.QuerySingleAsync<string>(indexes);
        Assert.Contains("assignee", definition);
        Assert.Contains("closed_at", definition);
        Assert.DoesNotContain("state", definition);
    }
}
