using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Store.Migrations;

namespace Threadline.IntegrationTests.Capture;

/// <summary>
/// Inbox migration 0002 moves the bodies into <c>inbox_bodies</c> and drops the unique key on their hash: an inbox made
/// by 0001 keeps every row, its state, attempts and error, and its body under the same id.
/// </summary>
public sealed class InboxBodiesMigrationTests : ScratchDirectory
{
    [Theory, InlineData(StoreKind.Sqlite), InlineData(StoreKind.Postgres)]
    public async Task Rows_made_before_0002_keep_their_state_and_their_bodies(StoreKind kind)
    {
        var db = await TestDatabases.CreateStoreAsync(kind, Directory);
        await using var c = await db.OpenInboxAsync();
        await OlderSchema.ApplyBeforeAsync(db, c, inbox: true, version: 2);
        await c.ExecuteAsync(
            "INSERT INTO inbox (received_at, body, body_sha256, state, attempts, next_attempt_at, last_error, processed_at) " +
            "VALUES (@at, @body, @sha, @state, @attempts, 0, @error, @processedAt)", new[]
            {
                new { at = 100L, body = "{\"a\":1}"u8.ToArray(), sha = "aa", state = 1, attempts = 0, error = (string?)null, processedAt = (long?)150 },
                new { at = 200L, body = "not json"u8.ToArray(), sha = "bb", state = 2, attempts = 5, error = (string?)"unreadable body", processedAt = (long?)null },
                new { at = 300L, body = "{\"c\":3}"u8.ToArray(), sha = "cc", state = 0, attempts = 1, error = (string?)"timeout", processedAt = (long?)null },
            });

        await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync();

        Assert.Contains(2, await c.QueryAsync<int>("SELECT version FROM inbox_schema_migrations"));
        // (ids 1, 2, 3: given by the store, in this order)
        var rows = (await c.QueryAsync<(long Id, long ReceivedAt, long State, long Attempts, string? Error, long? ProcessedAt)>(
            "SELECT id, received_at, CAST(state AS BIGINT), CAST(attempts AS BIGINT), last_error, processed_at FROM inbox ORDER BY id")).ToList();
        Assert.Equal([(1L, 100L, 1L, 0L, (string?)null, (long?)150), (2L, 200L, 2L, 5L, "unreadable body", null), (3L, 300L, 0L, 1L, "timeout", null)], rows);
        var bodies = (await c.QueryAsync<(long Id, byte[] Body, string Sha)>("SELECT id, body, body_sha256 FROM inbox_bodies ORDER BY id")).ToList();
        Assert.Equal(["{\"a\":1}", "not json", "{\"c\":3}"], bodies.Select(b => System.Text.Encoding.UTF8.GetString(b.Body)));
        Assert.Equal(["aa", "bb", "cc"], bodies.Select(b => b.Sha));

        var queue = new InboxQueue(db);
        var pending = Assert.Single(await queue.ClaimAsync(c, null, 10, long.MaxValue, CancellationToken.None));
        Assert.Equal((3L, "{\"c\":3}", 1), (pending.Id, System.Text.Encoding.UTF8.GetString(pending.Body), pending.Attempts));
        var dead = Assert.Single(await queue.DeadAsync(10, CancellationToken.None));
        Assert.Equal((2L, 5, "unreadable body", 8L), (dead.Id, dead.Attempts, dead.LastError, dead.BodyBytes));
        Assert.Equal(new InboxStats(3, 1, 1, 1), await queue.StatsAsync(CancellationToken.None));

        // New rows continue after the old ids, on both stores.
        var writer = new InboxWriter(db, TimeProvider.System, NullLogger<InboxWriter>.Instance);
        var loop = writer.RunAsync(CancellationToken.None);
        await writer.AppendAsync("{\"d\":4}"u8.ToArray(), CancellationToken.None);
        writer.Complete();
        await loop;
        Assert.Equal(4L, await c.QuerySingleAsync<long>("SELECT MAX(b.id) FROM inbox_bodies b JOIN inbox i ON i.id = b.id"));
    }
}
