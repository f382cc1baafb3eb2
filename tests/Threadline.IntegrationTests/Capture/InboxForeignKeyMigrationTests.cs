using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Store.Migrations;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// Inbox migration 0004 removes the foreign key from <c>inbox_bodies</c> to <c>inbox</c> (PostgreSQL checked it per
/// body with a plan that scanned the whole inbox): PostgreSQL drops the constraint, SQLite rebuilds the table. Every
/// body stays under its id, the id stays the key, and the inbox goes on working.
/// </summary>
public sealed class InboxForeignKeyMigrationTests : ScratchDirectory
{
    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Bodies_keep_their_ids_and_no_foreign_key_is_left(StoreKind kind)
    {
        var db = await TestDatabases.CreateStoreAsync(kind, Directory);
        await using var c = await db.OpenInboxAsync();
        await OlderSchema.ApplyBeforeAsync(db, c, inbox: true, version: 4);
        Assert.Equal(1, await ForeignKeysAsync(db, c)); // what 0002 made
        foreach (var (at, body, state) in new[] { (100L, "{\"a\":1}", 1), (200L, "not json", 2), (300L, "{\"c\":3}", 0) })
        {
            long id = await c.QuerySingleAsync<long>(
                db.Provider == StorageProvider.Postgres ? "INSERT INTO inbox (received_at, state) VALUES (@at, @state) RETURNING id"
                    : "INSERT INTO inbox (received_at, state) VALUES (@at, @state); SELECT last_insert_rowid()", new { at, state });
            await c.ExecuteAsync("INSERT INTO inbox_bodies (id, body, body_sha256) VALUES (@id, @body, @sha)",
                new { id, body = System.Text.Encoding.UTF8.GetBytes(body), sha = "sha" + id });
        }

        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync();

        Assert.Contains(4, await c.QueryAsync<int>("SELECT version FROM inbox_schema_migrations"));
        Assert.Equal(0, await ForeignKeysAsync(db, c));
        var bodies = (await c.QueryAsync<(long Id, byte[] Body, string Sha)>("SELECT id, body, body_sha256 FROM inbox_bodies ORDER BY id")).ToList();
        Assert.Equal([(1L, "{\"a\":1}", "sha1"), (2L, "not json", "sha2"), (3L, "{\"c\":3}", "sha3")],
            bodies.Select(b => (b.Id, System.Text.Encoding.UTF8.GetString(b.Body), b.Sha)));
        // The id is still the key: a second body under an id is refused.
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            c.ExecuteAsync("INSERT INTO inbox_bodies (id, body, body_sha256) VALUES (1, @body, 'x')", new { body = new byte[] { 1 } }));

        var queue = new InboxQueue(db);
        var pending = Assert.Single(await queue.ClaimAsync(c, null, 10, long.MaxValue, CancellationToken.None));
        Assert.Equal((3L, "{\"c\":3}"), (pending.Id, System.Text.Encoding.UTF8.GetString(pending.Body)));
        var writer = new InboxWriter(db, TimeProvider.System, NullLogger<InboxWriter>.Instance);
        var loop = writer.RunAsync(CancellationToken.None);
        await writer.AppendAsync("{\"d\":4}"u8.ToArray(), CancellationToken.None);
        writer.Complete();
        await loop;
        Assert.Equal((4L, "{\"d\":4}"), await c.QuerySingleAsync<(long, string)>(
            db.Provider == StorageProvider.Postgres ? "SELECT b.id, convert_from(b.body, 'UTF8') FROM inbox_bodies b JOIN inbox i ON i.id = b.id WHERE b.id = 4"
                : "SELECT b.id, CAST(b.body AS TEXT) FROM inbox_bodies b JOIN inbox i ON i.id = b.id WHERE b.id = 4"));
        Assert.Equal(new InboxStats(4, 1, 2, 1), await queue.StatsAsync(CancellationToken.None));
    }

    private static Task<int> ForeignKeysAsync(Database db, System.Data.Common.DbConnection c) =>
        c.QuerySingleAsync<int>(db.Provider == StorageProvider.Postgres
            ? "SELECT CAST(COUNT(*) AS INTEGER) FROM pg_constraint WHERE conrelid = 'inbox_bodies'::regclass AND contype = 'f'"
            : "SELECT COUNT(*) FROM pragma_foreign_key_list('inbox_bodies')");
}
