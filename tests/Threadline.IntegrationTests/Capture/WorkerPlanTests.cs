using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.Store.Inbox;
using Threadline.Store.Migrations;
using Threadline.Workers;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// PostgreSQL: under the settings the inbox worker gives its transaction (<see cref="InboxProcessor.WorkerSettings"/>),
/// its two costliest reads take the plans they were measured with. The claim walks <c>ix_inbox_pending</c> in id order
/// (a plain index scan, which marks the entries of processed rows dead as it passes them; a bitmap scan re-read them all
/// on every claim), and the contacts' latest conversations are read through <c>ix_conversations_contact</c> rather than
/// by a scan of every conversation. The data is shaped as the worker leaves it: most of the inbox processed and not yet
/// vacuumed, statistics young. (SQLite's planner has no such settings and picks these indexes itself.)
/// </summary>
public sealed class WorkerPlanTests : ScratchDirectory
{
    [Fact]
    public async Task The_claim_walks_the_pending_index_and_the_latest_conversations_are_read_through_their_index()
    {
        var db = await TestDatabases.CreateStoreAsync(StoreKind.Postgres, Directory);
        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync();
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync("""
            INSERT INTO inbox (received_at) SELECT g FROM generate_series(1, 20000) g;
            INSERT INTO inbox_bodies (id, body, body_sha256) SELECT id, '\x7b7d'::bytea, 'sha' || id FROM inbox;
            UPDATE inbox SET state = 1, processed_at = received_at WHERE id <= 19500;
            INSERT INTO conversations (contact_id, state, opened_at, last_message_at, last_from, message_count, pending_intents, pending_cues, updated_at)
            SELECT g, 'waiting_on_us', g, g, 'contact', 1, '', '', g FROM generate_series(1, 20000) g;
            ANALYZE conversations;
            """);

        await using var tx = await c.BeginTransactionAsync();
        await c.ExecuteAsync(InboxProcessor.WorkerSettings, transaction: tx);
        string claim = await PlanAsync(c, tx, InboxQueue.ClaimSql(db.Dialect), new { now = long.MaxValue, max = 1000 });
        Assert.Contains("Index Scan using ix_inbox_pending on inbox i", claim);
        Assert.DoesNotContain("Bitmap", claim);

        await c.ExecuteAsync(InboxProcessor.AfterClaim, transaction: tx);
        string latest = await PlanAsync(c, tx, ConversationStore.LatestSql(db.Dialect), new { ids = db.Dialect.List(Enumerable.Range(1, 1000).Select(i => i * 20L)) });
        Assert.Contains("using ix_conversations_contact on conversations v", latest);
        Assert.DoesNotContain("Seq Scan", latest);
    }

    private static async Task<string> PlanAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string sql, object parameters) =>
        string.Join("\n", await c.QueryAsync<string>("EXPLAIN " + sql, parameters, tx));
}
