using Microsoft.Extensions.DependencyInjection;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store.Inbox;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteInboxPendingTests() : InboxPendingTests(StoreKind.Sqlite);
public sealed class PostgresInboxPendingTests() : InboxPendingTests(StoreKind.Postgres);

/// <summary><see cref="InboxQueue.AnyPendingAsync"/>: the cheap question "is anything left to process?" (no count of the table).</summary>
public abstract class InboxPendingTests(StoreKind store)
{
    [Fact]
    public async Task Any_pending_is_true_exactly_while_a_row_waits()
    {
        await using var host = await ThreadlineHost.StartAsync(store, new Dictionary<string, string?> { ["Inbox:ProcessingEnabled"] = "false" });
        var inbox = host.Services.GetRequiredService<InboxQueue>();
        Assert.False(await inbox.AnyPendingAsync(CancellationToken.None));

        await host.PostWebhookAsync(Payloads.Text("4917012345678", "wamid.pending", 1_760_000_000, "Hallo"));
        Assert.True(await inbox.AnyPendingAsync(CancellationToken.None));
        Assert.Equal(1, (await inbox.StatsAsync(CancellationToken.None)).Pending);
    }
}
