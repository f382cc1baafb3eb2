using System.Net;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteRedeliveryTests() : RedeliveryTests(StoreKind.Sqlite);
public sealed class PostgresRedeliveryTests() : RedeliveryTests(StoreKind.Postgres);

/// <summary>
/// Byte-identical redeliveries: while the server remembers the body, a copy is acknowledged with the first and adds no
/// row; after that (a restart), a copy is a second inbox row whose processing adds nothing.
/// </summary>
public abstract class RedeliveryTests(StoreKind store)
{
    private const long T0 = 1_760_000_000;

    [Fact]
    public async Task Copies_of_a_body_one_after_another_and_all_at_once_are_all_acknowledged_and_stored_once()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        byte[] body = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.copy", T0, "Hallo"));
        Assert.Equal(HttpStatusCode.OK, (await host.PostWebhookAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostWebhookAsync(body)).StatusCode);
        byte[] other = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.burst", T0 + 1, "Noch da?"));
        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.PostWebhookAsync(other)));
        Assert.All(burst, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var stats = await host.WaitForProcessingAsync();
        Assert.Equal((2, 2), (stats.Received, stats.Processed));
        Assert.Equal(["Hallo", "Noch da?"], (await host.MessagesAsync("4917012345678")).Select(m => m.Text));
    }

    [Fact]
    public async Task A_copy_the_server_no_longer_remembers_is_a_second_row_and_changes_nothing()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        byte[] body = Encoding.UTF8.GetBytes(Payloads.Text("4917012345678", "wamid.again", T0, "Was kostet das?"));
        Assert.Equal(HttpStatusCode.OK, (await host.PostWebhookAsync(body)).StatusCode);
        await host.WaitForProcessingAsync();
        var before = await host.MessagesAsync("4917012345678");

        // A writer that remembers nothing, as after a restart.
        var db = host.Services.GetRequiredService<Database>();
        var fresh = new InboxWriter(db, TimeProvider.System, NullLogger<InboxWriter>.Instance);
        var loop = fresh.RunAsync(CancellationToken.None);
        await fresh.AppendAsync(body, CancellationToken.None);
        fresh.Complete();
        await loop;

        var stats = await host.WaitForProcessingAsync();
        Assert.Equal((2, 2, 0), (stats.Received, stats.Processed, stats.DeadLettered));
        var after = await host.MessagesAsync("4917012345678");
        Assert.Equal(before.Select(m => (m.WaMessageId, m.Text, m.Status)), after.Select(m => (m.WaMessageId, m.Text, m.Status)));
        await using var c = await db.OpenAsync();
        Assert.Equal(1, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM decisions"));
        await using var inbox = await db.OpenInboxAsync();
        Assert.Equal(1, await inbox.QuerySingleAsync<long>("SELECT COUNT(DISTINCT body_sha256) FROM inbox_bodies"));
    }
}
