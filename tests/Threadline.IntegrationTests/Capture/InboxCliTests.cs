using Threadline.Cli;
using Threadline.IntegrationTests.Infrastructure;
using Threadline.Store;
using Threadline.Store.Inbox;
using Microsoft.Extensions.DependencyInjection;

namespace Threadline.IntegrationTests.Capture;

public sealed class SqliteInboxCliTests() : InboxCliTests(StoreKind.Sqlite);
public sealed class PostgresInboxCliTests() : InboxCliTests(StoreKind.Postgres);

/// <summary><c>threadline inbox dead</c> and <c>threadline inbox retry ID</c> against the store a running server uses.</summary>
public abstract class InboxCliTests(StoreKind store)
{
    [Fact]
    public async Task InboxDeadAndRetry_ListAndRequeueADeadLetter()
    {
        var extra = new Dictionary<string, string?>();
        await using var host = await ThreadlineHost.StartAsync(store, extra);
        await host.PostWebhookAsync("not json at all");
        await host.WaitForProcessingAsync();
        var db = host.Services.GetRequiredService<Database>();
        long id = Assert.Single(await new InboxQueue(db).DeadAsync(10, default)).Id;
        string[] storage = host.StorageArgs();

        Assert.Equal(0, await CliRoot.Create().Parse(["inbox", "dead", .. storage]).InvokeAsync());
        Assert.Equal(0, await CliRoot.Create().Parse(["inbox", "stats", .. storage]).InvokeAsync());
        Assert.Equal(1, await CliRoot.Create().Parse(["inbox", "retry", "424242", .. storage]).InvokeAsync());
        Assert.Equal(0, await CliRoot.Create().Parse(["inbox", "retry", id.ToString(), .. storage]).InvokeAsync());

        // The server's worker picks the row up again; still unreadable, so it is dead-lettered again, with its error.
        var stats = await host.WaitForProcessingAsync();
        Assert.Equal(1, stats.DeadLettered);
        Assert.Equal(2, Assert.Single(await new InboxQueue(db).DeadAsync(10, default)).Attempts);
    }
}
