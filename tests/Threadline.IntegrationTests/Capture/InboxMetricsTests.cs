using System.Net;
using Threadline.Bench;
using Threadline.IntegrationTests.Infrastructure;

namespace Threadline.IntegrationTests.Capture;

[Collection(MeasurementsCollection.Name)]
public sealed class SqliteInboxMetricsTests() : InboxMetricsTests(StoreKind.Sqlite);
[Collection(MeasurementsCollection.Name)]
public sealed class PostgresInboxMetricsTests() : InboxMetricsTests(StoreKind.Postgres);

/// <summary>
/// The storage meter (<c>Threadline.Store</c>) tells how long acknowledgements waited for the disk: one durable-wait
/// measurement per acknowledged body, one commit measurement per group commit, and on SQLite the checkpoints.
/// </summary>
public abstract class InboxMetricsTests(StoreKind store)
{
    [Fact]
    public async Task Every_acknowledged_body_and_every_group_commit_is_measured()
    {
        await using var host = await ThreadlineHost.StartAsync(store);
        using var recorder = new StoreMetricsRecorder();
        recorder.Start();
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            host.PostWebhookAsync(Payloads.Text("4917012345678", $"wamid.metric{i}", 1_760_000_000 + i, $"Nachricht {i}"))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        await host.WaitForProcessingAsync();
        if (store == StoreKind.Sqlite)
        {
            // The checkpointer copies the inbox's log into its file within a pass or two (every 50 ms).
            for (int i = 0; i < 100 && recorder.Measured.InboxCheckpoints.Count == 0; i++)
                await Task.Delay(50);
        }
        var measured = recorder.Stop();

        Assert.Equal(40, measured.DurableWaits.Count);
        Assert.Equal(40, measured.CommitBodies.Sum());
        Assert.Equal(measured.CommitBodies.Count, measured.Commits.Count);
        Assert.All(measured.Commits, ms => Assert.InRange(ms, 0, 30_000));
        // A body waits at least as long as the commit that made it durable.
        Assert.True(measured.DurableWaits.Max() >= measured.Commits.Min(), $"waits {string.Join(", ", measured.DurableWaits)}; commits {string.Join(", ", measured.Commits)}");
        // ASP.NET Core's own timing of each webhook request, as the server saw it (the bench sets it beside the client's).
        Assert.Equal(40, measured.ServerRequests?.Count);
        Assert.All(measured.ServerRequests!, ms => Assert.InRange(ms, 0, 30_000));
        if (store == StoreKind.Sqlite) Assert.NotEmpty(measured.InboxCheckpoints);
        else Assert.Empty(measured.InboxCheckpoints.Concat(measured.MainCheckpoints)); // PostgreSQL checkpoints on its own
    }
}
